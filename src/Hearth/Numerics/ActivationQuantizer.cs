using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Vec = System.Runtime.Intrinsics.Vector128;

namespace Hearth.Numerics;

/// <summary>
/// Vectorised Q8_0 and Q8_K activation quantizers (Vector128: SSE on x86, AdvSimd on Arm64) that produce exactly the
/// bytes of the scalar references <see cref="Q8_0.Quantize"/> and <see cref="Q8_K.Quantize"/>, so every kernel variant
/// sees the same activations: Q8_0's roundf (half away from zero) is rebuilt from truncation and the exact fraction,
/// and Q8_K's nearest_int (ties to even for |v| &lt; 2^22) is the IEEE round.
/// </summary>
internal static class ActivationQuantizer
{
    public static void QuantizeQ8_0(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = Bits.Blocks(src.Length, 32, Q8_0.BytesPerBlock, dst.Length, "Q8_0");
        ref float x0 = ref MemoryMarshal.GetReference(src);
        ref byte d0 = ref MemoryMarshal.GetReference(dst);
        for (int i = 0; i < nb; i++)
        {
            ref float x = ref Unsafe.Add(ref x0, i * 32);
            ref byte b = ref Unsafe.Add(ref d0, i * 34);
            var v0 = Vec.LoadUnsafe(ref x, 0); var v1 = Vec.LoadUnsafe(ref x, 4);
            var v2 = Vec.LoadUnsafe(ref x, 8); var v3 = Vec.LoadUnsafe(ref x, 12);
            var v4 = Vec.LoadUnsafe(ref x, 16); var v5 = Vec.LoadUnsafe(ref x, 20);
            var v6 = Vec.LoadUnsafe(ref x, 24); var v7 = Vec.LoadUnsafe(ref x, 28);
            var m = Vec.Max(Vec.Max(Vec.Max(Vec.Abs(v0), Vec.Abs(v1)), Vec.Max(Vec.Abs(v2), Vec.Abs(v3))),
                            Vec.Max(Vec.Max(Vec.Abs(v4), Vec.Abs(v5)), Vec.Max(Vec.Abs(v6), Vec.Abs(v7))));
            float amax = MathF.Max(MathF.Max(m[0], m[1]), MathF.Max(m[2], m[3]));
            float d = amax / 127;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Unsafe.WriteUnaligned(ref b, Fp16.FromFloat(d));
            var vid = Vec.Create(id);
            var q0 = Narrow(RoundAway(v0 * vid), RoundAway(v1 * vid), RoundAway(v2 * vid), RoundAway(v3 * vid));
            var q1 = Narrow(RoundAway(v4 * vid), RoundAway(v5 * vid), RoundAway(v6 * vid), RoundAway(v7 * vid));
            q0.StoreUnsafe(ref Unsafe.As<byte, sbyte>(ref Unsafe.Add(ref b, 2)));
            q1.StoreUnsafe(ref Unsafe.As<byte, sbyte>(ref Unsafe.Add(ref b, 18)));
        }
    }

    public static void QuantizeQ8_K(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = Bits.Blocks(src.Length, 256, Q8_K.BytesPerBlock, dst.Length, "Q8_K");
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * 256, 256);
            var b = dst.Slice(i * Q8_K.BytesPerBlock, Q8_K.BytesPerBlock);
            ref float xr = ref MemoryMarshal.GetReference(x);
            var m = Vector128<float>.Zero;
            for (int j = 0; j < 256; j += 4) m = Vec.Max(m, Vec.Abs(Vec.LoadUnsafe(ref xr, (nuint)j)));
            float amax = MathF.Max(MathF.Max(m[0], m[1]), MathF.Max(m[2], m[3]));
            if (amax == 0)
            {
                b.Clear();
                continue;
            }
            // ggml keeps the signed value of the first element reaching amax (strict '>' while scanning).
            float max = 0;
            for (int j = 0; j < 256; j++)
            {
                if (MathF.Abs(x[j]) == amax) { max = x[j]; break; }
            }
            float iscale = -127f / max;
            var vs = Vec.Create(iscale);
            var top = Vec.Create(127);
            ref sbyte q = ref Unsafe.As<byte, sbyte>(ref MemoryMarshal.GetReference(b.Slice(Q8_K.QsOffset)));
            for (int g = 0; g < 16; g++)
            {
                nuint o = (nuint)(16 * g);
                var a0 = Vec.Min(Vec.ConvertToInt32(Vec.Round(Vec.LoadUnsafe(ref xr, o) * vs)), top);
                var a1 = Vec.Min(Vec.ConvertToInt32(Vec.Round(Vec.LoadUnsafe(ref xr, o + 4) * vs)), top);
                var a2 = Vec.Min(Vec.ConvertToInt32(Vec.Round(Vec.LoadUnsafe(ref xr, o + 8) * vs)), top);
                var a3 = Vec.Min(Vec.ConvertToInt32(Vec.Round(Vec.LoadUnsafe(ref xr, o + 12) * vs)), top);
                Narrow(a0, a1, a2, a3).StoreUnsafe(ref q, o);
                Bits.WriteU16(b, Q8_K.BsumsOffset + 2 * g, (ushort)(short)Vec.Sum((a0 + a1) + (a2 + a3)));
            }
            Bits.WriteU32(b, 0, BitConverter.SingleToUInt32Bits(1 / iscale));
        }
    }

    /// <summary>roundf: half away from zero. t = trunc(v) and v - t are exact, so |v - t| ≥ 0.5 decides the step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> RoundAway(Vector128<float> v)
    {
        var t = Vec.Truncate(v);
        var up = Vec.GreaterThanOrEqual(Vec.Abs(v - t), Vec.Create(0.5f));
        var step = Vec.ConditionalSelect(Vec.LessThan(v, Vector128<float>.Zero), Vec.Create(-1f), Vec.Create(1f));
        return Vec.ConvertToInt32(t + (step & up));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<sbyte> Narrow(Vector128<int> a, Vector128<int> b, Vector128<int> c, Vector128<int> d) =>
        Vec.Narrow(Vec.Narrow(a, b), Vec.Narrow(c, d));
}
