using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FMA = System.Runtime.Intrinsics.X86.Fma;
using ISA = System.Runtime.Intrinsics.X86.Avx2;
using Vec = System.Runtime.Intrinsics.Vector256;
using Vnni = System.Runtime.Intrinsics.X86.AvxVnni;

namespace Hearth.Numerics;

/// <summary>
/// AVX2 (+AVX-VNNI) GEMM tiles for the 32-element formats against Q8_0 activations: 4 weight rows × 4 tokens per call,
/// sixteen 8-lane float accumulators. Each weight block is loaded and decoded once per tile and each activation block
/// once per tile, so a block's work is spread over 16 dot products instead of 1 (the per-row kernel re-decodes the weight
/// for every token). Per pair the integer block sums are the per-row kernel's; the block scale is applied as (sum·d_w)·d_x.
/// </summary>
internal static unsafe class GemmAvx2Legacy
{
    // n columns. w: [4 rows, n/32 blocks] at w + r·ws; x: [4 tokens, n/32 Q8_0 blocks] at x + t·xs; y: [4 tokens, ...] at y + t·ys, 4 rows.
    // Fully optimised from the first call: tier-0 code of a SIMD tile is ~8x slower and a benchmark warm-up may not outlast it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Q8_0(int n, byte* w, nint ws, byte* x, nint xs, float* y, nint ys)
    {
        Vector256<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector256<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector256<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector256<float> c30 = default, c31 = default, c32 = default, c33 = default;
        byte* w0 = w, w1 = w + ws, w2 = w + 2 * ws, w3 = w + 3 * ws;
        byte* x0 = x, x1 = x + xs, x2 = x + 2 * xs, x3 = x + 3 * xs;
        var bias = Vec.Create((byte)0x80);
        for (nint o = 0, end = (nint)(n >> 5) * 34; o < end; o += 34)
        {
            var a0 = Vec.Load((sbyte*)(w0 + o + 2)); var a1 = Vec.Load((sbyte*)(w1 + o + 2));
            var a2 = Vec.Load((sbyte*)(w2 + o + 2)); var a3 = Vec.Load((sbyte*)(w3 + o + 2));
            var d0 = Vec.Create(Fp16.Lookup(*(ushort*)(w0 + o))); var d1 = Vec.Create(Fp16.Lookup(*(ushort*)(w1 + o)));
            var d2 = Vec.Create(Fp16.Lookup(*(ushort*)(w2 + o))); var d3 = Vec.Create(Fp16.Lookup(*(ushort*)(w3 + o)));
            if (Vnni.IsSupported)
            {
                // vpdpbusd wants an unsigned operand: take y + 128 (flip the sign bit) and start each row's sums at
                // −128·Σa (per 4-byte lane group), which removes the 128·Σa the bias adds. Integer sums are unchanged.
                var k0 = Vector256<int>.Zero - Vnni.MultiplyWideningAndAdd(Vector256<int>.Zero, bias, a0);
                var k1 = Vector256<int>.Zero - Vnni.MultiplyWideningAndAdd(Vector256<int>.Zero, bias, a1);
                var k2 = Vector256<int>.Zero - Vnni.MultiplyWideningAndAdd(Vector256<int>.Zero, bias, a2);
                var k3 = Vector256<int>.Zero - Vnni.MultiplyWideningAndAdd(Vector256<int>.Zero, bias, a3);
                var b = Vec.Load(x0 + o + 2) ^ bias; var e = Vec.Create(Fp16.Lookup(*(ushort*)(x0 + o)));
                c00 = PairV(c00, k0, b, a0, d0, e); c10 = PairV(c10, k1, b, a1, d1, e); c20 = PairV(c20, k2, b, a2, d2, e); c30 = PairV(c30, k3, b, a3, d3, e);
                b = Vec.Load(x1 + o + 2) ^ bias; e = Vec.Create(Fp16.Lookup(*(ushort*)(x1 + o)));
                c01 = PairV(c01, k0, b, a0, d0, e); c11 = PairV(c11, k1, b, a1, d1, e); c21 = PairV(c21, k2, b, a2, d2, e); c31 = PairV(c31, k3, b, a3, d3, e);
                b = Vec.Load(x2 + o + 2) ^ bias; e = Vec.Create(Fp16.Lookup(*(ushort*)(x2 + o)));
                c02 = PairV(c02, k0, b, a0, d0, e); c12 = PairV(c12, k1, b, a1, d1, e); c22 = PairV(c22, k2, b, a2, d2, e); c32 = PairV(c32, k3, b, a3, d3, e);
                b = Vec.Load(x3 + o + 2) ^ bias; e = Vec.Create(Fp16.Lookup(*(ushort*)(x3 + o)));
                c03 = PairV(c03, k0, b, a0, d0, e); c13 = PairV(c13, k1, b, a1, d1, e); c23 = PairV(c23, k2, b, a2, d2, e); c33 = PairV(c33, k3, b, a3, d3, e);
            }
            else
            {
                var u0 = ISA.Abs(a0); var u1 = ISA.Abs(a1); var u2 = ISA.Abs(a2); var u3 = ISA.Abs(a3);
                var b = Vec.Load((sbyte*)(x0 + o + 2)); var e = Vec.Create(Fp16.Lookup(*(ushort*)(x0 + o)));
                c00 = Pair(c00, u0, a0, b, d0, e); c10 = Pair(c10, u1, a1, b, d1, e); c20 = Pair(c20, u2, a2, b, d2, e); c30 = Pair(c30, u3, a3, b, d3, e);
                b = Vec.Load((sbyte*)(x1 + o + 2)); e = Vec.Create(Fp16.Lookup(*(ushort*)(x1 + o)));
                c01 = Pair(c01, u0, a0, b, d0, e); c11 = Pair(c11, u1, a1, b, d1, e); c21 = Pair(c21, u2, a2, b, d2, e); c31 = Pair(c31, u3, a3, b, d3, e);
                b = Vec.Load((sbyte*)(x2 + o + 2)); e = Vec.Create(Fp16.Lookup(*(ushort*)(x2 + o)));
                c02 = Pair(c02, u0, a0, b, d0, e); c12 = Pair(c12, u1, a1, b, d1, e); c22 = Pair(c22, u2, a2, b, d2, e); c32 = Pair(c32, u3, a3, b, d3, e);
                b = Vec.Load((sbyte*)(x3 + o + 2)); e = Vec.Create(Fp16.Lookup(*(ushort*)(x3 + o)));
                c03 = Pair(c03, u0, a0, b, d0, e); c13 = Pair(c13, u1, a1, b, d1, e); c23 = Pair(c23, u2, a2, b, d2, e); c33 = Pair(c33, u3, a3, b, d3, e);
            }
        }
        Store(y, ys, c00, c10, c20, c30, c01, c11, c21, c31, c02, c12, c22, c32, c03, c13, c23, c33);
    }

    /// <summary>
    /// Q4_0: the nibbles (0..15) are the unsigned operand as they are; the −8 offset comes in as −8·Σy per lane group,
    /// computed once per token and block and used as the starting accumulator of that token's four dot products.
    /// </summary>
    // Fully optimised from the first call: tier-0 code of a SIMD tile is ~8x slower and a benchmark warm-up may not outlast it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Q4_0(int n, byte* w, nint ws, byte* x, nint xs, float* y, nint ys)
    {
        Vector256<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector256<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector256<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector256<float> c30 = default, c31 = default, c32 = default, c33 = default;
        byte* w0 = w, w1 = w + ws, w2 = w + 2 * ws, w3 = w + 3 * ws;
        byte* x0 = x, x1 = x + xs, x2 = x + 2 * xs, x3 = x + 3 * xs;
        for (nint i = 0, nb = n >> 5; i < nb; i++)
        {
            nint ow = i * 18, ox = i * 34;
            var q0 = DotAvx2.Nibbles(w0 + ow + 2); var q1 = DotAvx2.Nibbles(w1 + ow + 2);
            var q2 = DotAvx2.Nibbles(w2 + ow + 2); var q3 = DotAvx2.Nibbles(w3 + ow + 2);
            var d0 = Vec.Create(Fp16.Lookup(*(ushort*)(w0 + ow))); var d1 = Vec.Create(Fp16.Lookup(*(ushort*)(w1 + ow)));
            var d2 = Vec.Create(Fp16.Lookup(*(ushort*)(w2 + ow))); var d3 = Vec.Create(Fp16.Lookup(*(ushort*)(w3 + ow)));

            var b = Vec.Load((sbyte*)(x0 + ox + 2)); var e = Vec.Create(Fp16.Lookup(*(ushort*)(x0 + ox))); var m = MinusEightSum(b);
            c00 = PairU(c00, m, q0, b, d0, e); c10 = PairU(c10, m, q1, b, d1, e); c20 = PairU(c20, m, q2, b, d2, e); c30 = PairU(c30, m, q3, b, d3, e);
            b = Vec.Load((sbyte*)(x1 + ox + 2)); e = Vec.Create(Fp16.Lookup(*(ushort*)(x1 + ox))); m = MinusEightSum(b);
            c01 = PairU(c01, m, q0, b, d0, e); c11 = PairU(c11, m, q1, b, d1, e); c21 = PairU(c21, m, q2, b, d2, e); c31 = PairU(c31, m, q3, b, d3, e);
            b = Vec.Load((sbyte*)(x2 + ox + 2)); e = Vec.Create(Fp16.Lookup(*(ushort*)(x2 + ox))); m = MinusEightSum(b);
            c02 = PairU(c02, m, q0, b, d0, e); c12 = PairU(c12, m, q1, b, d1, e); c22 = PairU(c22, m, q2, b, d2, e); c32 = PairU(c32, m, q3, b, d3, e);
            b = Vec.Load((sbyte*)(x3 + ox + 2)); e = Vec.Create(Fp16.Lookup(*(ushort*)(x3 + ox))); m = MinusEightSum(b);
            c03 = PairU(c03, m, q0, b, d0, e); c13 = PairU(c13, m, q1, b, d1, e); c23 = PairU(c23, m, q2, b, d2, e); c33 = PairU(c33, m, q3, b, d3, e);
        }
        Store(y, ys, c00, c10, c20, c30, c01, c11, c21, c31, c02, c12, c22, c32, c03, c13, c23, c33);
    }

    /// <summary>acc + (Σ a·b)·d·e for signed a (|a| = u precomputed) and signed b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Pair(Vector256<float> acc, Vector256<byte> u, Vector256<sbyte> a, Vector256<sbyte> b, Vector256<float> d, Vector256<float> e)
    {
        var sb = ISA.Sign(b, a);
        var p = ISA.MultiplyAddAdjacent(ISA.MultiplyAddAdjacent(u, sb), Vec.Create((short)1));
        return FMA.MultiplyAdd(ISA.ConvertToVector256Single(p) * d, e, acc);
    }

    /// <summary>acc + (start + Σ ub·a)·d·e with VNNI: ub unsigned (biased activations), a signed weights.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> PairV(Vector256<float> acc, Vector256<int> start, Vector256<byte> ub, Vector256<sbyte> a, Vector256<float> d, Vector256<float> e) =>
        FMA.MultiplyAdd(ISA.ConvertToVector256Single(Vnni.MultiplyWideningAndAdd(start, ub, a)) * d, e, acc);

    /// <summary>acc + (start + Σ q·b)·d·e for unsigned q ≤ 15 (maddubs cannot saturate: 2·15·128 &lt; 2^15).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> PairU(Vector256<float> acc, Vector256<int> start, Vector256<byte> q, Vector256<sbyte> b, Vector256<float> d, Vector256<float> e)
    {
        var p = Vnni.IsSupported
            ? Vnni.MultiplyWideningAndAdd(start, q, b)
            : start + ISA.MultiplyAddAdjacent(ISA.MultiplyAddAdjacent(q, b), Vec.Create((short)1));
        return FMA.MultiplyAdd(ISA.ConvertToVector256Single(p) * d, e, acc);
    }

    /// <summary>−8 · (sum of each 4-byte group of b), the Q4_0 offset's share of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> MinusEightSum(Vector256<sbyte> b)
    {
        var s = Vnni.IsSupported
            ? Vnni.MultiplyWideningAndAdd(Vector256<int>.Zero, Vec.Create((byte)8), b)
            : ISA.MultiplyAddAdjacent(ISA.MultiplyAddAdjacent(Vec.Create((byte)8), b), Vec.Create((short)1));
        return Vector256<int>.Zero - s;
    }

    /// <summary>Writes the 16 sums: y[t·ys + r] = Σ lanes of c_rt (arguments in token-major order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Store(float* y, nint ys,
        Vector256<float> c00, Vector256<float> c10, Vector256<float> c20, Vector256<float> c30,
        Vector256<float> c01, Vector256<float> c11, Vector256<float> c21, Vector256<float> c31,
        Vector256<float> c02, Vector256<float> c12, Vector256<float> c22, Vector256<float> c32,
        Vector256<float> c03, Vector256<float> c13, Vector256<float> c23, Vector256<float> c33)
    {
        y[0] = DotAvx2.HorizontalSum(c00); y[1] = DotAvx2.HorizontalSum(c10); y[2] = DotAvx2.HorizontalSum(c20); y[3] = DotAvx2.HorizontalSum(c30);
        y += ys;
        y[0] = DotAvx2.HorizontalSum(c01); y[1] = DotAvx2.HorizontalSum(c11); y[2] = DotAvx2.HorizontalSum(c21); y[3] = DotAvx2.HorizontalSum(c31);
        y += ys;
        y[0] = DotAvx2.HorizontalSum(c02); y[1] = DotAvx2.HorizontalSum(c12); y[2] = DotAvx2.HorizontalSum(c22); y[3] = DotAvx2.HorizontalSum(c32);
        y += ys;
        y[0] = DotAvx2.HorizontalSum(c03); y[1] = DotAvx2.HorizontalSum(c13); y[2] = DotAvx2.HorizontalSum(c23); y[3] = DotAvx2.HorizontalSum(c33);
    }
}
