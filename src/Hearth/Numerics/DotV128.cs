using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Vec = System.Runtime.Intrinsics.Vector128;

namespace Hearth.Numerics;

/// <summary>
/// 128-bit dot kernels shared by Arm64 and x86: the integer dot of 16 bytes uses Arm's SDOT (<see cref="Dp"/>) when
/// present, else AdvSimd widening multiplies with pairwise adds, or SSSE3's maddubs/madd on x86, else plain Vector128
/// widening. This file holds the shared helpers and Q8_0/Q4_0/Q4_K/Q6_K; the other types are in DotV128.Legacy.cs,
/// DotV128.KQuants.cs and DotV128.Float.cs.
/// </summary>
internal static unsafe partial class DotV128
{
    /// <summary>Σ x·y of 16 signed bytes → 4 int lanes (which lane holds which products differs per ISA; only the total matters).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<int> DotI8(Vector128<sbyte> x, Vector128<sbyte> y)
    {
        if (Dp.IsSupported) return Dp.DotProduct(Vector128<int>.Zero, x, y);
        if (AdvSimd.IsSupported)
        {
            var lo = AdvSimd.MultiplyWideningLower(x.GetLower(), y.GetLower());
            var hi = AdvSimd.MultiplyWideningUpper(x, y);
            return AdvSimd.AddPairwiseWideningAndAdd(AdvSimd.AddPairwiseWidening(lo), hi);
        }
        if (Ssse3.IsSupported)
            return Sse2.MultiplyAddAdjacent(Ssse3.MultiplyAddAdjacent(Ssse3.Abs(x), Ssse3.Sign(y, x)), Vec.Create((short)1));
        var (xl, xh) = Vec.Widen(x);
        var (yl, yh) = Vec.Widen(y);
        var (p0, p1) = Vec.Widen(xl * yl);
        var (p2, p3) = Vec.Widen(xh * yh);
        return (p0 + p1) + (p2 + p3);
    }

    /// <summary>Σ u·y for 16 unsigned bytes u ≤ 127 and signed y → 4 int lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<int> UnsignedDot(Vector128<byte> u, Vector128<sbyte> y)
    {
        if (Ssse3.IsSupported) return Sse2.MultiplyAddAdjacent(Ssse3.MultiplyAddAdjacent(u, y), Vec.Create((short)1));
        return DotI8(u.AsSByte(), y);
    }

    /// <summary>Σ a·b over 8 signed 16-bit lanes, exact in 32 bits (|a·b| sums here stay far below 2^31).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<int> DotI16(Vector128<short> a, Vector128<short> b)
    {
        if (Sse2.IsSupported) return Sse2.MultiplyAddAdjacent(a, b);
        if (AdvSimd.IsSupported)
            return AdvSimd.MultiplyWideningUpperAndAdd(AdvSimd.MultiplyWideningLower(a.GetLower(), b.GetLower()), a, b);
        var (al, ah) = Vec.Widen(a);
        var (bl, bh) = Vec.Widen(b);
        return al * bl + ah * bh;
    }

    /// <summary>Σ_g s[g]·bsums[g] over Q8_K's sixteen 16-element sums at <paramref name="y"/>; s holds 16 signed bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int BsumDot(byte* y, Vector128<sbyte> s)
    {
        var (s0, s1) = Vec.Widen(s);
        short* b = (short*)(y + Q8_K.BsumsOffset);
        return Vec.Sum(DotI16(Vector128.Load(b), s0) + DotI16(Vector128.Load(b + 8), s1));
    }

    /// <summary>
    /// Q4_K/Q5_K minimum term Σ_g m[g/2]·bsums[g]: the eight 6-bit minimums (bytes of <paramref name="mins"/>, as
    /// <see cref="DotAvx2.UnpackScaleMinK4"/> unpacks them) each cover two of Q8_K's 16-element sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int MinDot(byte* y, ulong mins) =>
        BsumDot(y, Vec.Shuffle(Vector128.CreateScalar(mins).AsByte(), Vec.Create((byte)0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7)).AsSByte());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<byte> Shr(Vector128<byte> v, int bits) => Vec.ShiftRightLogical(v.AsUInt16(), bits).AsByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<byte> Shl(Vector128<byte> v, int bits) => Vec.ShiftLeft(v.AsUInt16(), bits).AsByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> MulAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c)
    {
        if (AdvSimd.IsSupported) return AdvSimd.FusedMultiplyAdd(c, a, b);
        if (Fma.IsSupported) return Fma.MultiplyAdd(a, b, c);
        return a * b + c;
    }

    public static float DotQ8_0(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, 32, Q8_0.BytesPerBlock, weight.Length, "Q8_0");
        Bits.Blocks(n, 32, Q8_0.BytesPerBlock, activation.Length, "Q8_0");
        var acc = Vector128<float>.Zero;
        fixed (byte* pw = weight, pa = activation)
        {
            byte* x = pw, y = pa;
            for (int i = 0; i < nb; i++, x += 34, y += 34)
            {
                var p = DotI8(Vector128.Load((sbyte*)(x + 2)), Vector128.Load((sbyte*)(y + 2)))
                      + DotI8(Vector128.Load((sbyte*)(x + 18)), Vector128.Load((sbyte*)(y + 18)));
                acc = MulAdd(Vec.Create(Fp16.Lookup(*(ushort*)x) * Fp16.Lookup(*(ushort*)y)), Vec.ConvertToSingle(p), acc);
            }
        }
        return Vec.Sum(acc);
    }

    public static float DotQ4_0(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, 32, Q4_0.BytesPerBlock, weight.Length, "Q4_0");
        Bits.Blocks(n, 32, Q8_0.BytesPerBlock, activation.Length, "Q8_0");
        var acc = Vector128<float>.Zero;
        var mask = Vec.Create((byte)0x0F);
        var eight = Vec.Create((sbyte)8);
        fixed (byte* pw = weight, pa = activation)
        {
            byte* x = pw, y = pa;
            for (int i = 0; i < nb; i++, x += 18, y += 34)
            {
                var q = Vector128.Load(x + 2);
                var p = DotI8((q & mask).AsSByte() - eight, Vector128.Load((sbyte*)(y + 2)))
                      + DotI8((Shr(q, 4) & mask).AsSByte() - eight, Vector128.Load((sbyte*)(y + 18)));
                acc = MulAdd(Vec.Create(Fp16.Lookup(*(ushort*)x) * Fp16.Lookup(*(ushort*)y)), Vec.ConvertToSingle(p), acc);
            }
        }
        return Vec.Sum(acc);
    }

    public static float DotQ4_K(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, 256, Q4_K.BytesPerBlock, weight.Length, "Q4_K");
        Bits.Blocks(n, 256, Q8_K.BytesPerBlock, activation.Length, "Q8_K");
        var mask = Vec.Create((byte)0x0F);
        float sumf = 0;
        fixed (byte* pw = weight, pa = activation)
        {
            for (int i = 0; i < nb; i++)
            {
                byte* x = pw + i * 144, y = pa + i * 292;
                // The 6-bit scales and minimums are unpacked with word operations (pure integer code, not AVX2).
                var (scales, mins) = DotAvx2.UnpackScaleMinK4(x + 4);
                int summ = MinDot(y, mins);
                var sumi = Vector128<int>.Zero;
                for (int j = 0; j < 4; j++)
                {
                    int s0 = (int)(scales >> (16 * j)) & 0xFF, s1 = (int)(scales >> (16 * j + 8)) & 0xFF;
                    var qa = Vector128.Load(x + 16 + 32 * j);
                    var qb = Vector128.Load(x + 32 + 32 * j);
                    sbyte* yj = (sbyte*)(y + Q8_K.QsOffset + 64 * j);
                    var lo = UnsignedDot(qa & mask, Vector128.Load(yj)) + UnsignedDot(qb & mask, Vector128.Load(yj + 16));
                    var hi = UnsignedDot(Shr(qa, 4) & mask, Vector128.Load(yj + 32)) + UnsignedDot(Shr(qb, 4) & mask, Vector128.Load(yj + 48));
                    sumi += lo * s0 + hi * s1;
                }
                float dy = *(float*)y;
                sumf += Fp16.Lookup(*(ushort*)x) * dy * Vec.Sum(sumi) - Fp16.Lookup(*(ushort*)(x + 2)) * dy * summ;
            }
        }
        return sumf;
    }

    public static float DotQ6_K(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, 256, Q6_K.BytesPerBlock, weight.Length, "Q6_K");
        Bits.Blocks(n, 256, Q8_K.BytesPerBlock, activation.Length, "Q8_K");
        var mask = Vec.Create((byte)0x0F);
        var three = Vec.Create((byte)3);
        float sumf = 0;
        fixed (byte* pw = weight, pa = activation)
        {
            for (int i = 0; i < nb; i++)
            {
                byte* x = pw + i * 210, y = pa + i * 292;
                sbyte* sc = (sbyte*)(x + 192);
                var sumi = Vector128<int>.Zero;
                int bias = BsumDot(y, Vector128.Load(sc));
                for (int h = 0; h < 2; h++)
                {
                    for (int half = 0; half < 2; half++)
                    {
                        // 16 of the 32 positions l of this 128-value half: l = 16·half .. 16·half + 15.
                        int o = 16 * half;
                        var ql0 = Vector128.Load(x + 64 * h + o);
                        var ql1 = Vector128.Load(x + 64 * h + 32 + o);
                        var qh = Vector128.Load(x + 128 + 32 * h + o);
                        sbyte* yh = (sbyte*)(y + Q8_K.QsOffset + 128 * h + o);
                        sbyte* s = sc + 8 * h + half;
                        sumi += UnsignedDot((ql0 & mask) | Shl(qh & three, 4), Vector128.Load(yh)) * s[0];
                        sumi += UnsignedDot((ql1 & mask) | Shl(Shr(qh, 2) & three, 4), Vector128.Load(yh + 32)) * s[2];
                        sumi += UnsignedDot((Shr(ql0, 4) & mask) | Shl(Shr(qh, 4) & three, 4), Vector128.Load(yh + 64)) * s[4];
                        sumi += UnsignedDot((Shr(ql1, 4) & mask) | Shl(Shr(qh, 6) & three, 4), Vector128.Load(yh + 96)) * s[6];
                    }
                }
                sumf += Fp16.Lookup(*(ushort*)(x + 208)) * *(float*)y * (Vec.Sum(sumi) - 32 * bias);
            }
        }
        return sumf;
    }
}
