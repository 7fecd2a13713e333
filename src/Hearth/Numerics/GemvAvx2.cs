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

    /// <summary>
    /// Q4_K against Q8_K, 4 rows: the token's 256 activations and 16-element sums of a super-block are loaded once for
    /// the four rows; per row the integer sums are <see cref="DotAvx2.DotQ4_K"/>'s. Prefetches the next tile's rows.
    /// </summary>
    // n columns. w: [4 rows, n/256 super-blocks] at w + r·ws; x: [1 token, n/256 Q8_K blocks]; y: y[r] for the 4 rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Q4_K(int n, byte* w, nint ws, byte* x, nint xs, float* y, nint ys)
    {
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
        float m0 = 0, m1 = 0, m2 = 0, m3 = 0;
        byte* w0 = w, w1 = w + ws, w2 = w + 2 * ws, w3 = w + 3 * ws;
        for (nint s = 0, nsb = n >> 8; s < nsb; s++)
        {
            nint ow = s * Numerics.Q4_K.BytesPerBlock;
            byte* next = w3 + ws + ow;
            for (nint r = 0; r < 4; r++)
            {
                Sse.Prefetch0(next + r * ws); Sse.Prefetch0(next + r * ws + 64); Sse.Prefetch0(next + r * ws + 128);
            }
            byte* yb = x + s * Q8_K.BytesPerBlock;
            var a = new Q8KBlock(yb);
            c0 = RowQ4_K(c0, ref m0, w0 + ow, in a); c1 = RowQ4_K(c1, ref m1, w1 + ow, in a);
            c2 = RowQ4_K(c2, ref m2, w2 + ow, in a); c3 = RowQ4_K(c3, ref m3, w3 + ow, in a);
        }
        y[0] = DotAvx2.HorizontalSum(c0) - m0; y[1] = DotAvx2.HorizontalSum(c1) - m1;
        y[2] = DotAvx2.HorizontalSum(c2) - m2; y[3] = DotAvx2.HorizontalSum(c3) - m3;
    }

    /// <summary>One Q8_K super-block's activations, loaded once for several rows.</summary>
    private readonly struct Q8KBlock
    {
        public readonly Vector256<sbyte> Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7;
        public readonly Vector256<short> Bsums;
        public readonly float D;

        public Q8KBlock(byte* yb)
        {
            sbyte* q = (sbyte*)(yb + Q8_K.QsOffset);
            Y0 = Vec.Load(q); Y1 = Vec.Load(q + 32); Y2 = Vec.Load(q + 64); Y3 = Vec.Load(q + 96);
            Y4 = Vec.Load(q + 128); Y5 = Vec.Load(q + 160); Y6 = Vec.Load(q + 192); Y7 = Vec.Load(q + 224);
            Bsums = Vec.Load((short*)(yb + Q8_K.BsumsOffset));
            D = *(float*)yb;
        }
    }

    // acc + d·d_y·(Σ_j sc_j Σ q·y) as 8 lanes; m += dmin·d_y·Σ_j m_j·(sub-block sums of y). xb: the row's Q4_K block.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> RowQ4_K(Vector256<float> acc, ref float m, byte* xb, in Q8KBlock a)
    {
        var mask = Vec.Create((byte)0x0F);
        var (scales, mins) = DotAvx2.UnpackScaleMinK4(xb + 4);
        // Each 6-bit minimum covers two 16-element sums: duplicate the bytes, then widen to 16 bits.
        var dup = Vector128.Create((byte)0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
        var mv = ISA.ConvertToVector256Int16(Ssse3.Shuffle(Vector128.CreateScalar(mins).AsByte(), dup).AsSByte());
        int summ = DotAvx2.HorizontalSum(ISA.MultiplyAddAdjacent(a.Bsums, mv));
        var q0 = Vec.Load(xb + 16); var q1 = Vec.Load(xb + 48); var q2 = Vec.Load(xb + 80); var q3 = Vec.Load(xb + 112);
        var sumi = DotAvx2.ScaledDot(Vector256<int>.Zero, q0 & mask, a.Y0, Vec.Create((short)(scales & 0xFF)));
        sumi = DotAvx2.ScaledDot(sumi, DotAvx2.Shr(q0, 4) & mask, a.Y1, Vec.Create((short)((scales >> 8) & 0xFF)));
        sumi = DotAvx2.ScaledDot(sumi, q1 & mask, a.Y2, Vec.Create((short)((scales >> 16) & 0xFF)));
        sumi = DotAvx2.ScaledDot(sumi, DotAvx2.Shr(q1, 4) & mask, a.Y3, Vec.Create((short)((scales >> 24) & 0xFF)));
        sumi = DotAvx2.ScaledDot(sumi, q2 & mask, a.Y4, Vec.Create((short)((scales >> 32) & 0xFF)));
        sumi = DotAvx2.ScaledDot(sumi, DotAvx2.Shr(q2, 4) & mask, a.Y5, Vec.Create((short)((scales >> 40) & 0xFF)));
        sumi = DotAvx2.ScaledDot(sumi, q3 & mask, a.Y6, Vec.Create((short)((scales >> 48) & 0xFF)));
        sumi = DotAvx2.ScaledDot(sumi, DotAvx2.Shr(q3, 4) & mask, a.Y7, Vec.Create((short)((scales >> 56) & 0xFF)));
        m += Fp16.Lookup(*(ushort*)(xb + 2)) * a.D * summ;
        return FMA.MultiplyAdd(ISA.ConvertToVector256Single(sumi), Vec.Create(Fp16.Lookup(*(ushort*)xb) * a.D), acc);
    }
}
