using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using FMA = System.Runtime.Intrinsics.X86.Fma;
using ISA = System.Runtime.Intrinsics.X86.Avx2;
using Vec = System.Runtime.Intrinsics.Vector256;

namespace Hearth.Numerics;

/// <summary>
/// Decoding (one token) tiles: 4 weight rows × 1 token, called through a function pointer once per 4 rows. They share
/// the activation block's load and scale between four rows and skip the per-row delegate call, span checks and pinning
/// of <see cref="TensorTypeTraits.VecDot"/>, which cost about a fifth of a 2048-column row. Integer block sums as in
/// <see cref="DotAvx2"/>; the scale is applied as (sum·d_w)·d_x.
/// </summary>
internal static unsafe class GemvAvx2
{
    // n columns. w: [4 rows, n/32 blocks] at w + r·ws; x: [1 token, n/32 Q8_0 blocks]; y: y[r] for the 4 rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Q8_0(int n, byte* w, nint ws, byte* x, nint xs, float* y, nint ys)
    {
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
        byte* w0 = w, w1 = w + ws, w2 = w + 2 * ws, w3 = w + 3 * ws;
        for (nint o = 0, end = (nint)(n >> 5) * 34; o < end; o += 34)
        {
            var b = Vec.Load((sbyte*)(x + o + 2));
            var e = Vec.Create(Fp16.Lookup(*(ushort*)(x + o)));
            // The next tile's rows follow these four: fetch them while this tile computes (one line per row per 64 bytes).
            byte* next = w3 + ws + o;
            Sse.Prefetch0(next); Sse.Prefetch0(next + ws); Sse.Prefetch0(next + 2 * ws); Sse.Prefetch0(next + 3 * ws);
            c0 = Row(c0, w0 + o, b, e); c1 = Row(c1, w1 + o, b, e); c2 = Row(c2, w2 + o, b, e); c3 = Row(c3, w3 + o, b, e);
        }
        y[0] = DotAvx2.HorizontalSum(c0); y[1] = DotAvx2.HorizontalSum(c1); y[2] = DotAvx2.HorizontalSum(c2); y[3] = DotAvx2.HorizontalSum(c3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Row(Vector256<float> acc, byte* wb, Vector256<sbyte> b, Vector256<float> e)
    {
        var a = Vec.Load((sbyte*)(wb + 2));
        var p = DotAvx2.DotI8(a, b);
        return FMA.MultiplyAdd(ISA.ConvertToVector256Single(p) * Vec.Create(Fp16.Lookup(*(ushort*)wb)), e, acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Q4_0(int n, byte* w, nint ws, byte* x, nint xs, float* y, nint ys)
    {
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
        byte* w0 = w, w1 = w + ws, w2 = w + 2 * ws, w3 = w + 3 * ws;
        for (nint i = 0, nb = n >> 5; i < nb; i++)
        {
            nint ow = i * 18, ox = i * 34;
            var b = Vec.Load((sbyte*)(x + ox + 2));
            var e = Vec.Create(Fp16.Lookup(*(ushort*)(x + ox)));
            // −8·Σb per lane group: the nibbles are used unsigned (0..15) and the offset is added back here.
            var m = Vector256<int>.Zero - DotU(Vector256<int>.Zero, Vec.Create((byte)8), b);
            if ((i & 1) == 0)
            {
                // The next tile's rows follow these four: fetch them while this tile computes (about one prefetch per
                // row and cache line). Prefetches past the matrix's end are harmless: they never fault.
                byte* next = w3 + ws + ow;
                Sse.Prefetch0(next); Sse.Prefetch0(next + ws); Sse.Prefetch0(next + 2 * ws); Sse.Prefetch0(next + 3 * ws);
            }
            c0 = Row4(c0, w0 + ow, b, m, e); c1 = Row4(c1, w1 + ow, b, m, e); c2 = Row4(c2, w2 + ow, b, m, e); c3 = Row4(c3, w3 + ow, b, m, e);
        }
        y[0] = DotAvx2.HorizontalSum(c0); y[1] = DotAvx2.HorizontalSum(c1); y[2] = DotAvx2.HorizontalSum(c2); y[3] = DotAvx2.HorizontalSum(c3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Row4(Vector256<float> acc, byte* wb, Vector256<sbyte> b, Vector256<int> m, Vector256<float> e)
    {
        var p = DotU(m, DotAvx2.Nibbles(wb + 2), b);
        return FMA.MultiplyAdd(ISA.ConvertToVector256Single(p) * Vec.Create(Fp16.Lookup(*(ushort*)wb)), e, acc);
    }

    /// <summary>start + Σ u·s over 4-byte groups (u unsigned ≤ 15 or 8 here, so maddubs cannot saturate).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> DotU(Vector256<int> start, Vector256<byte> u, Vector256<sbyte> s) =>
        System.Runtime.Intrinsics.X86.AvxVnni.IsSupported
            ? System.Runtime.Intrinsics.X86.AvxVnni.MultiplyWideningAndAdd(start, u, s)
            : start + ISA.MultiplyAddAdjacent(ISA.MultiplyAddAdjacent(u, s), Vec.Create((short)1));
}
