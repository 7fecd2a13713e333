using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FMA = System.Runtime.Intrinsics.X86.Fma;
using ISA = System.Runtime.Intrinsics.X86.Avx2;
using Vec = System.Runtime.Intrinsics.Vector256;

namespace Hearth.Numerics;

/// <summary>
/// AVX2 GEMM tiles for K-quants against Q8_K: 1 weight row × 4 tokens. Unpacking a K-quant super-block (6-bit scales,
/// split nibbles, high bits) costs more than the multiply itself, so the unpacked quants are reused for four tokens.
/// Super-block sums stay in 8 lanes (scaled into float lanes with FMA) and are reduced once at the end, so the float
/// rounding order differs from <see cref="DotAvx2.DotQ4_K"/>'s (the integer sums are the same).
/// </summary>
internal static unsafe class GemmAvx2KQuants
{
    private const int Qs = Q8_K.QsOffset;
    private const int Bsums = Q8_K.BsumsOffset;

    // n columns. w: [1 row, n/256 super-blocks]; x: [4 tokens, n/256 Q8_K blocks] at x + t·xs; y: y[t·ys] for the 4 tokens.
    // Fully optimised from the first call: tier-0 code of a SIMD tile is ~8x slower and a benchmark warm-up may not outlast it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Q4_K(int n, byte* w, nint ws, byte* x, nint xs, float* y, nint ys)
    {
        var mask = Vec.Create((byte)0x0F);
        var dup = Vector128.Create((byte)0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
        Vector256<float> f0 = default, f1 = default, f2 = default, f3 = default;
        byte* x0 = x, x1 = x + xs, x2 = x + 2 * xs, x3 = x + 3 * xs;
        for (nint i = 0, nb = n >> 8; i < nb; i++)
        {
            byte* q = w + i * 144;
            nint o = i * 292;
            var (scales, mins) = DotAvx2.UnpackScaleMinK4(q + 4);
            var mins16 = ISA.ConvertToVector256Int16(System.Runtime.Intrinsics.X86.Ssse3.Shuffle(Vector128.CreateScalar(mins).AsByte(), dup).AsSByte());
            Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default;
            for (int j = 0; j < 4; j++)
            {
                var v = Vec.Load(q + 16 + 32 * j);
                var lo = v & mask;
                var hi = DotAvx2.Shr(v, 4) & mask;
                var sl = Vec.Create((short)((int)(scales >> (16 * j)) & 0xFF));
                var sh = Vec.Create((short)((int)(scales >> (16 * j + 8)) & 0xFF));
                nint oj = o + Qs + 64 * j;
                s0 = DotAvx2.ScaledDot(DotAvx2.ScaledDot(s0, lo, Vec.Load((sbyte*)(x0 + oj)), sl), hi, Vec.Load((sbyte*)(x0 + oj + 32)), sh);
                s1 = DotAvx2.ScaledDot(DotAvx2.ScaledDot(s1, lo, Vec.Load((sbyte*)(x1 + oj)), sl), hi, Vec.Load((sbyte*)(x1 + oj + 32)), sh);
                s2 = DotAvx2.ScaledDot(DotAvx2.ScaledDot(s2, lo, Vec.Load((sbyte*)(x2 + oj)), sl), hi, Vec.Load((sbyte*)(x2 + oj + 32)), sh);
                s3 = DotAvx2.ScaledDot(DotAvx2.ScaledDot(s3, lo, Vec.Load((sbyte*)(x3 + oj)), sl), hi, Vec.Load((sbyte*)(x3 + oj + 32)), sh);
            }
            float d = Fp16.Lookup(*(ushort*)q), dmin = Fp16.Lookup(*(ushort*)(q + 2));
            f0 = MinScaled(f0, s0, x0 + o, mins16, d, dmin);
            f1 = MinScaled(f1, s1, x1 + o, mins16, d, dmin);
            f2 = MinScaled(f2, s2, x2 + o, mins16, d, dmin);
            f3 = MinScaled(f3, s3, x3 + o, mins16, d, dmin);
        }
        y[0] = DotAvx2.HorizontalSum(f0); y[ys] = DotAvx2.HorizontalSum(f1); y[2 * ys] = DotAvx2.HorizontalSum(f2); y[3 * ys] = DotAvx2.HorizontalSum(f3);
    }

    /// <summary>acc + d·dy·sumi − dmin·dy·Σ mins·bsums, all in 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MinScaled(Vector256<float> acc, Vector256<int> sumi, byte* yb, Vector256<short> mins16, float d, float dmin)
    {
        float dy = *(float*)yb;
        var m = ISA.MultiplyAddAdjacent(Vec.Load((short*)(yb + Bsums)), mins16);
        acc = FMA.MultiplyAdd(Vec.Create(d * dy), ISA.ConvertToVector256Single(sumi), acc);
        return FMA.MultiplyAdd(Vec.Create(-dmin * dy), ISA.ConvertToVector256Single(m), acc);
    }

    // Fully optimised from the first call: tier-0 code of a SIMD tile is ~8x slower and a benchmark warm-up may not outlast it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Q6_K(int n, byte* w, nint ws, byte* x, nint xs, float* y, nint ys)
    {
        var mask = Vec.Create((byte)0x0F);
        var three = Vec.Create((byte)3);
        Vector256<float> f0 = default, f1 = default, f2 = default, f3 = default;
        byte* x0 = x, x1 = x + xs, x2 = x + 2 * xs, x3 = x + 3 * xs;
        for (nint i = 0, nb = n >> 8; i < nb; i++)
        {
            byte* q = w + i * 210;
            nint o = i * 292;
            sbyte* sc = (sbyte*)(q + 192);
            Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default;
            for (int h = 0; h < 2; h++)
            {
                var ql0 = Vec.Load(q + 64 * h);
                var ql1 = Vec.Load(q + 64 * h + 32);
                var qh = Vec.Load(q + 128 + 32 * h);
                sbyte* s = sc + 8 * h;
                var u0 = (ql0 & mask) | DotAvx2.Shl(qh & three, 4);
                var u1 = (ql1 & mask) | DotAvx2.Shl(DotAvx2.Shr(qh, 2) & three, 4);
                var u2 = (DotAvx2.Shr(ql0, 4) & mask) | DotAvx2.Shl(DotAvx2.Shr(qh, 4) & three, 4);
                var u3 = (DotAvx2.Shr(ql1, 4) & mask) | DotAvx2.Shl(DotAvx2.Shr(qh, 6) & three, 4);
                var k0 = DotAvx2.Scales(s[0], s[1]); var k1 = DotAvx2.Scales(s[2], s[3]);
                var k2 = DotAvx2.Scales(s[4], s[5]); var k3 = DotAvx2.Scales(s[6], s[7]);
                nint oh = o + Qs + 128 * h;
                s0 = Four(s0, x0 + oh, u0, u1, u2, u3, k0, k1, k2, k3);
                s1 = Four(s1, x1 + oh, u0, u1, u2, u3, k0, k1, k2, k3);
                s2 = Four(s2, x2 + oh, u0, u1, u2, u3, k0, k1, k2, k3);
                s3 = Four(s3, x3 + oh, u0, u1, u2, u3, k0, k1, k2, k3);
            }
            // The quants were taken as 0..63; the true values are q − 32: subtract 32·Σ scale·bsum, lane-wise.
            var sc16 = ISA.ConvertToVector256Int16(Vector128.Load(sc));
            float d = Fp16.Lookup(*(ushort*)(q + 208));
            f0 = Offset32(f0, s0, x0 + o, sc16, d);
            f1 = Offset32(f1, s1, x1 + o, sc16, d);
            f2 = Offset32(f2, s2, x2 + o, sc16, d);
            f3 = Offset32(f3, s3, x3 + o, sc16, d);
        }
        y[0] = DotAvx2.HorizontalSum(f0); y[ys] = DotAvx2.HorizontalSum(f1); y[2 * ys] = DotAvx2.HorizontalSum(f2); y[3 * ys] = DotAvx2.HorizontalSum(f3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Four(Vector256<int> acc, byte* yq, Vector256<byte> u0, Vector256<byte> u1, Vector256<byte> u2, Vector256<byte> u3,
        Vector256<short> k0, Vector256<short> k1, Vector256<short> k2, Vector256<short> k3)
    {
        acc = DotAvx2.ScaledDot(acc, u0, Vec.Load((sbyte*)yq), k0);
        acc = DotAvx2.ScaledDot(acc, u1, Vec.Load((sbyte*)(yq + 32)), k1);
        acc = DotAvx2.ScaledDot(acc, u2, Vec.Load((sbyte*)(yq + 64)), k2);
        return DotAvx2.ScaledDot(acc, u3, Vec.Load((sbyte*)(yq + 96)), k3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Offset32(Vector256<float> acc, Vector256<int> sumi, byte* yb, Vector256<short> sc16, float d)
    {
        var m = ISA.MultiplyAddAdjacent(Vec.Load((short*)(yb + Bsums)), sc16);
        return FMA.MultiplyAdd(Vec.Create(d * *(float*)yb), ISA.ConvertToVector256Single(sumi - (m << 5)), acc);
    }
}
