using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FMA = System.Runtime.Intrinsics.X86.Fma;
using ISA = System.Runtime.Intrinsics.X86.Avx2;
using Vec = System.Runtime.Intrinsics.Vector256;

namespace Hearth.Numerics;

/// <summary>
/// AVX2 GEMM tiles for the IQ and ternary types. IQ4_NL: 4 rows × 4 tokens against Q8_0, the level lookup done once per
/// weight block and tile. IQ4_XS and the grid / ternary types: 1 row × 4 tokens against Q8_K, each weight block looked up
/// or decoded (<see cref="IqDecode"/>) once for the four tokens, which is where these types spend their time. The integer
/// block sums are the per-row kernels'; only the float accumulation order differs.
/// </summary>
internal static unsafe class GemmAvx2IQuants
{
    private const int Qs = Q8_K.QsOffset;

    // n columns. w: [4 rows, n/32 blocks] at w + r·ws; x: [4 tokens, n/32 Q8_0 blocks] at x + t·xs; y: 4 rows at y + t·ys.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void IQ4_NL(int n, byte* w, nint ws, byte* x, nint xs, float* y, nint ys)
    {
        var table = DotAvx2.Iq4Table();
        Vector256<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector256<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector256<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector256<float> c30 = default, c31 = default, c32 = default, c33 = default;
        byte* w0 = w, w1 = w + ws, w2 = w + 2 * ws, w3 = w + 3 * ws;
        byte* x0 = x, x1 = x + xs, x2 = x + 2 * xs, x3 = x + 3 * xs;
        for (nint i = 0, nb = n >> 5; i < nb; i++)
        {
            nint o = i * 18, p = i * 34;
            var a0 = ISA.Shuffle(table, DotAvx2.Nibbles(w0 + o + 2).AsSByte()); var a1 = ISA.Shuffle(table, DotAvx2.Nibbles(w1 + o + 2).AsSByte());
            var a2 = ISA.Shuffle(table, DotAvx2.Nibbles(w2 + o + 2).AsSByte()); var a3 = ISA.Shuffle(table, DotAvx2.Nibbles(w3 + o + 2).AsSByte());
            var u0 = ISA.Abs(a0); var u1 = ISA.Abs(a1); var u2 = ISA.Abs(a2); var u3 = ISA.Abs(a3);
            var d0 = Vec.Create(Fp16.Lookup(*(ushort*)(w0 + o))); var d1 = Vec.Create(Fp16.Lookup(*(ushort*)(w1 + o)));
            var d2 = Vec.Create(Fp16.Lookup(*(ushort*)(w2 + o))); var d3 = Vec.Create(Fp16.Lookup(*(ushort*)(w3 + o)));
            var b = Vec.Load((sbyte*)(x0 + p + 2)); var e = Vec.Create(Fp16.Lookup(*(ushort*)(x0 + p)));
            c00 = Pair(c00, u0, a0, b, d0, e); c10 = Pair(c10, u1, a1, b, d1, e); c20 = Pair(c20, u2, a2, b, d2, e); c30 = Pair(c30, u3, a3, b, d3, e);
            b = Vec.Load((sbyte*)(x1 + p + 2)); e = Vec.Create(Fp16.Lookup(*(ushort*)(x1 + p)));
            c01 = Pair(c01, u0, a0, b, d0, e); c11 = Pair(c11, u1, a1, b, d1, e); c21 = Pair(c21, u2, a2, b, d2, e); c31 = Pair(c31, u3, a3, b, d3, e);
            b = Vec.Load((sbyte*)(x2 + p + 2)); e = Vec.Create(Fp16.Lookup(*(ushort*)(x2 + p)));
            c02 = Pair(c02, u0, a0, b, d0, e); c12 = Pair(c12, u1, a1, b, d1, e); c22 = Pair(c22, u2, a2, b, d2, e); c32 = Pair(c32, u3, a3, b, d3, e);
            b = Vec.Load((sbyte*)(x3 + p + 2)); e = Vec.Create(Fp16.Lookup(*(ushort*)(x3 + p)));
            c03 = Pair(c03, u0, a0, b, d0, e); c13 = Pair(c13, u1, a1, b, d1, e); c23 = Pair(c23, u2, a2, b, d2, e); c33 = Pair(c33, u3, a3, b, d3, e);
        }
        GemmAvx2Legacy.Store(y, ys, c00, c10, c20, c30, c01, c11, c21, c31, c02, c12, c22, c32, c03, c13, c23, c33);
    }

    /// <summary>acc + (Σ a·b)·d·e for signed weights a (|a| ≤ 127, given with u = |a|) and activations b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Pair(Vector256<float> acc, Vector256<byte> u, Vector256<sbyte> a, Vector256<sbyte> b, Vector256<float> d, Vector256<float> e) =>
        FMA.MultiplyAdd(ISA.ConvertToVector256Single(DotAvx2.DotI8Unsigned(u, ISA.Sign(b, a))) * d, e, acc);

    // n columns. w: [1 row, n/256 super-blocks]; x: [4 tokens, n/256 Q8_K blocks] at x + t·xs; y: y[t·ys] for the 4 tokens.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void IQ4_XS(int n, byte* w, nint ws, byte* x, nint xs, float* y, nint ys)
    {
        var table = DotAvx2.Iq4Table();
        Vector256<float> f0 = default, f1 = default, f2 = default, f3 = default;
        byte* x0 = x, x1 = x + xs, x2 = x + 2 * xs, x3 = x + 3 * xs;
        for (nint i = 0, nb = n >> 8; i < nb; i++)
        {
            byte* q = w + i * 136;
            nint o = i * 292;
            uint h = *(ushort*)(q + 2);
            Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default;
            for (int ib = 0; ib < 8; ib++)
            {
                int ls = (((q[4 + (ib >> 1)] >> (4 * (ib & 1))) & 0xF) | ((int)((h >> (2 * ib)) & 3) << 4)) - 32;
                var a = ISA.Shuffle(table, DotAvx2.Nibbles(q + 8 + 16 * ib).AsSByte());
                var u = ISA.Abs(a);
                var sc = Vec.Create((short)ls);
                nint oj = o + Qs + 32 * ib;
                s0 = DotAvx2.ScaledDot(s0, u, ISA.Sign(Vec.Load((sbyte*)(x0 + oj)), a), sc);
                s1 = DotAvx2.ScaledDot(s1, u, ISA.Sign(Vec.Load((sbyte*)(x1 + oj)), a), sc);
                s2 = DotAvx2.ScaledDot(s2, u, ISA.Sign(Vec.Load((sbyte*)(x2 + oj)), a), sc);
                s3 = DotAvx2.ScaledDot(s3, u, ISA.Sign(Vec.Load((sbyte*)(x3 + oj)), a), sc);
            }
            float d = Fp16.Lookup(*(ushort*)q);
            f0 = FMA.MultiplyAdd(Vec.Create(d * *(float*)(x0 + o)), ISA.ConvertToVector256Single(s0), f0);
            f1 = FMA.MultiplyAdd(Vec.Create(d * *(float*)(x1 + o)), ISA.ConvertToVector256Single(s1), f1);
            f2 = FMA.MultiplyAdd(Vec.Create(d * *(float*)(x2 + o)), ISA.ConvertToVector256Single(s2), f2);
            f3 = FMA.MultiplyAdd(Vec.Create(d * *(float*)(x3 + o)), ISA.ConvertToVector256Single(s3), f3);
        }
        y[0] = DotAvx2.HorizontalSum(f0); y[ys] = DotAvx2.HorizontalSum(f1); y[2 * ys] = DotAvx2.HorizontalSum(f2); y[3 * ys] = DotAvx2.HorizontalSum(f3);
    }

    /// <summary>1 row × 4 tokens for a decoded type: each block decoded once, then four exact integer block dots.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Decoded(int n, byte* w, byte* x, nint xs, float* y, nint ys, delegate*<byte*, sbyte*, short*, float> decode, int bytesPerBlock)
    {
        sbyte* q = stackalloc sbyte[256];
        short* s = stackalloc short[16];
        float r0 = 0, r1 = 0, r2 = 0, r3 = 0;
        byte* x0 = x, x1 = x + xs, x2 = x + 2 * xs, x3 = x + 3 * xs;
        for (nint i = 0, nb = n >> 8; i < nb; i++)
        {
            float f = decode(w + i * bytesPerBlock, q, s);
            nint o = i * 292;
            r0 += f * *(float*)(x0 + o) * DotAvx2.DecodedBlockDot(q, s, (sbyte*)(x0 + o + Qs));
            r1 += f * *(float*)(x1 + o) * DotAvx2.DecodedBlockDot(q, s, (sbyte*)(x1 + o + Qs));
            r2 += f * *(float*)(x2 + o) * DotAvx2.DecodedBlockDot(q, s, (sbyte*)(x2 + o + Qs));
            r3 += f * *(float*)(x3 + o) * DotAvx2.DecodedBlockDot(q, s, (sbyte*)(x3 + o + Qs));
        }
        y[0] = r0; y[ys] = r1; y[2 * ys] = r2; y[3 * ys] = r3;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void IQ2_XXS(int n, byte* w, nint ws, byte* x, nint xs, float* y, nint ys) => Decoded(n, w, x, xs, y, ys, &Numerics.IQ2_XXS.Decode, Numerics.IQ2_XXS.BytesPerBlock);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void IQ2_XS(int n, byte* w, nint ws, byte* x, nint xs, float* y, nint ys) => Decoded(n, w, x, xs, y, ys, &Numerics.IQ2_XS.Decode, Numerics.IQ2_XS.BytesPerBlock);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void IQ2_S(int n, byte* w, nint ws, byte* x, nint xs, float* y, nint ys) => Decoded(n, w, x, xs, y, ys, &Numerics.IQ2_S.Decode, Numerics.IQ2_S.BytesPerBlock);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void IQ3_XXS(int n, byte* w, nint ws, byte* x, nint xs, float* y, nint ys) => Decoded(n, w, x, xs, y, ys, &Numerics.IQ3_XXS.Decode, Numerics.IQ3_XXS.BytesPerBlock);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void IQ3_S(int n, byte* w, nint ws, byte* x, nint xs, float* y, nint ys) => Decoded(n, w, x, xs, y, ys, &Numerics.IQ3_S.Decode, Numerics.IQ3_S.BytesPerBlock);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void IQ1_S(int n, byte* w, nint ws, byte* x, nint xs, float* y, nint ys) => Decoded(n, w, x, xs, y, ys, &Numerics.IQ1_S.Decode, Numerics.IQ1_S.BytesPerBlock);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void IQ1_M(int n, byte* w, nint ws, byte* x, nint xs, float* y, nint ys) => Decoded(n, w, x, xs, y, ys, &Numerics.IQ1_M.Decode, Numerics.IQ1_M.BytesPerBlock);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TQ1_0(int n, byte* w, nint ws, byte* x, nint xs, float* y, nint ys) => Decoded(n, w, x, xs, y, ys, &Numerics.TQ1_0.Decode, Numerics.TQ1_0.BytesPerBlock);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TQ2_0(int n, byte* w, nint ws, byte* x, nint xs, float* y, nint ys) => Decoded(n, w, x, xs, y, ys, &Numerics.TQ2_0.Decode, Numerics.TQ2_0.BytesPerBlock);
}
