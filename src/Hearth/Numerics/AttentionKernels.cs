using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Hearth.Numerics;

/// <summary>
/// The inner loops of attention over one kv head's keys and values (float rows): q·k scores and the weighted sum of
/// value rows. Vector256 paths keep four independent FMA chains in flight (one chain is bound by the FMA latency, four
/// by its throughput); without Vector256 they fall back to TensorPrimitives per row. Every path of
/// <see cref="WeightedSum"/> accumulates each output element over the rows in order with fused multiply-adds, so all
/// paths give the same bits; <see cref="Scores"/> paths differ only in summation order.
/// </summary>
internal static class AttentionKernels
{
    /// <summary>scores[j] = (q · keys[j]) · scale for j in [0, scores.Length).</summary>
    // q: [hd]; keys: [scores.Length, hd] row-major; scores: [count].
    public static void Scores(ReadOnlySpan<float> q, ReadOnlySpan<float> keys, int hd, float scale, Span<float> scores)
    {
        int count = scores.Length;
        if (q.Length < hd || keys.Length < count * hd) throw new ArgumentException("q or keys is shorter than the shapes say.");
        if (!Vector256.IsHardwareAccelerated || hd < 8)
        {
            for (int j = 0; j < count; j++) scores[j] = TensorPrimitives.Dot(q[..hd], keys.Slice(j * hd, hd)) * scale;
            return;
        }
        ref float q0 = ref MemoryMarshal.GetReference(q);
        ref float k0 = ref MemoryMarshal.GetReference(keys);
        int hv = hd & ~7;
        int i = 0;
        // Four keys per pass: q is loaded once for four rows and the four sums are independent chains.
        for (; i + 4 <= count; i += 4)
        {
            ref float ka = ref Unsafe.Add(ref k0, i * hd);
            ref float kb = ref Unsafe.Add(ref ka, hd);
            ref float kc = ref Unsafe.Add(ref kb, hd);
            ref float kd = ref Unsafe.Add(ref kc, hd);
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (int d = 0; d < hv; d += 8)
            {
                var qv = Vector256.LoadUnsafe(ref q0, (nuint)d);
                a0 = Vector256.FusedMultiplyAdd(qv, Vector256.LoadUnsafe(ref ka, (nuint)d), a0);
                a1 = Vector256.FusedMultiplyAdd(qv, Vector256.LoadUnsafe(ref kb, (nuint)d), a1);
                a2 = Vector256.FusedMultiplyAdd(qv, Vector256.LoadUnsafe(ref kc, (nuint)d), a2);
                a3 = Vector256.FusedMultiplyAdd(qv, Vector256.LoadUnsafe(ref kd, (nuint)d), a3);
            }
            scores[i] = (Vector256.Sum(a0) + TailDot(ref q0, ref ka, hv, hd)) * scale;
            scores[i + 1] = (Vector256.Sum(a1) + TailDot(ref q0, ref kb, hv, hd)) * scale;
            scores[i + 2] = (Vector256.Sum(a2) + TailDot(ref q0, ref kc, hv, hd)) * scale;
            scores[i + 3] = (Vector256.Sum(a3) + TailDot(ref q0, ref kd, hv, hd)) * scale;
        }
        for (; i < count; i++)
        {
            ref float k = ref Unsafe.Add(ref k0, i * hd);
            Vector256<float> a = default;
            for (int d = 0; d < hv; d += 8)
            {
                a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref q0, (nuint)d), Vector256.LoadUnsafe(ref k, (nuint)d), a);
            }
            scores[i] = (Vector256.Sum(a) + TailDot(ref q0, ref k, hv, hd)) * scale;
        }
    }

    // Σ q[d]·k[d] over the dimensions [from, to) past the last whole vector.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float TailDot(ref float q, ref float k, int from, int to)
    {
        float s = 0;
        for (int d = from; d < to; d++) s += Unsafe.Add(ref q, d) * Unsafe.Add(ref k, d);
        return s;
    }

    /// <summary>output = Σ_j weights[j] · values[j], each element accumulated over j in order with fused multiply-adds.</summary>
    // weights: [count]; values: [count, vhd] row-major; output: [vhd].
    public static void WeightedSum(ReadOnlySpan<float> weights, ReadOnlySpan<float> values, int vhd, Span<float> output)
    {
        int count = weights.Length;
        if (output.Length < vhd || values.Length < count * vhd) throw new ArgumentException("values or output is shorter than the shapes say.");
        ref float w0 = ref MemoryMarshal.GetReference(weights);
        ref float v0 = ref MemoryMarshal.GetReference(values);
        ref float o = ref MemoryMarshal.GetReference(output);
        int d = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // 32 outputs per pass stay in four registers across all rows: four independent chains.
            for (; d + 32 <= vhd; d += 32)
            {
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                ref float v = ref Unsafe.Add(ref v0, d);
                for (int j = 0; j < count; j++, v = ref Unsafe.Add(ref v, vhd))
                {
                    var w = Vector256.Create(Unsafe.Add(ref w0, j));
                    a0 = Vector256.FusedMultiplyAdd(w, Vector256.LoadUnsafe(ref v), a0);
                    a1 = Vector256.FusedMultiplyAdd(w, Vector256.LoadUnsafe(ref v, 8), a1);
                    a2 = Vector256.FusedMultiplyAdd(w, Vector256.LoadUnsafe(ref v, 16), a2);
                    a3 = Vector256.FusedMultiplyAdd(w, Vector256.LoadUnsafe(ref v, 24), a3);
                }
                a0.StoreUnsafe(ref o, (nuint)d);
                a1.StoreUnsafe(ref o, (nuint)(d + 8));
                a2.StoreUnsafe(ref o, (nuint)(d + 16));
                a3.StoreUnsafe(ref o, (nuint)(d + 24));
            }
            for (; d + 8 <= vhd; d += 8)
            {
                Vector256<float> a = default;
                ref float v = ref Unsafe.Add(ref v0, d);
                for (int j = 0; j < count; j++, v = ref Unsafe.Add(ref v, vhd))
                {
                    a = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref w0, j)), Vector256.LoadUnsafe(ref v), a);
                }
                a.StoreUnsafe(ref o, (nuint)d);
            }
        }
        else if (vhd >= 8)
        {
            // Row at a time through TensorPrimitives (vectorised for Vector128 / Vector512 alike); same FMA per element.
            var acc = output[..vhd];
            acc.Clear();
            for (int j = 0; j < count; j++) TensorPrimitives.FusedMultiplyAdd(values.Slice(j * vhd, vhd), weights[j], acc, acc);
            return;
        }
        for (; d < vhd; d++)
        {
            float s = 0;
            for (int j = 0; j < count; j++) s = MathF.FusedMultiplyAdd(Unsafe.Add(ref w0, j), Unsafe.Add(ref v0, j * vhd + d), s);
            Unsafe.Add(ref o, d) = s;
        }
    }
}
