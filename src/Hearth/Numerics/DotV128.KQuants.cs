using System.Runtime.Intrinsics;
using Vec = System.Runtime.Intrinsics.Vector128;

namespace Hearth.Numerics;

/// <summary>
/// 128-bit dots for Q2_K, Q3_K and Q5_K against Q8_K. Quants are formed as unsigned bytes (Q3_K's -4 offset is applied
/// afterwards through Q8_K's 16-element sums, the minimums of Q2_K/Q5_K likewise), each 16-byte product is summed to
/// four int lanes and multiplied by its sub-block scale. Each super-block's integer sum is exact; only the float
/// accumulation over super-blocks differs from the reference.
/// </summary>
internal static unsafe partial class DotV128
{
    public static float DotQ2_K(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, 256, Q2_K.BytesPerBlock, weight.Length, "Q2_K");
        Bits.Blocks(n, 256, Q8_K.BytesPerBlock, activation.Length, "Q8_K");
        var three = Vec.Create((byte)3);
        float sumf = 0;
        fixed (byte* pw = weight, pa = activation)
        {
            for (int i = 0; i < nb; i++)
            {
                byte* x = pw + i * 84, y = pa + i * 292;
                // Byte g of the first 16: scale of group g in the low nibble, its minimum in the high one.
                int summs = BsumDot(y, Shr(Vector128.Load(x), 4).AsSByte() & Vec.Create((sbyte)0x0F));
                var sumi = Vector128<int>.Zero;
                for (int c = 0; c < 2; c++)
                {
                    // 128 values: four 2-bit planes of the same 32 bytes, plane k holding values 32k .. 32k + 31.
                    var q0 = Vector128.Load(x + 16 + 32 * c);
                    var q1 = Vector128.Load(x + 32 + 32 * c);
                    sbyte* yc = (sbyte*)(y + Q8_K.QsOffset + 128 * c);
                    byte* s = x + 8 * c;
                    for (int k = 0; k < 4; k++)
                    {
                        sumi += UnsignedDot(Shr(q0, 2 * k) & three, Vector128.Load(yc + 32 * k)) * (s[2 * k] & 0xF);
                        sumi += UnsignedDot(Shr(q1, 2 * k) & three, Vector128.Load(yc + 32 * k + 16)) * (s[2 * k + 1] & 0xF);
                    }
                }
                float dy = *(float*)y;
                sumf += dy * Fp16.Lookup(*(ushort*)(x + 80)) * Vec.Sum(sumi) - dy * Fp16.Lookup(*(ushort*)(x + 82)) * summs;
            }
        }
        return sumf;
    }

    public static float DotQ3_K(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, 256, Q3_K.BytesPerBlock, weight.Length, "Q3_K");
        Bits.Blocks(n, 256, Q8_K.BytesPerBlock, activation.Length, "Q8_K");
        var three = Vec.Create((byte)3);
        var one = Vec.Create((byte)1);
        float sumf = 0;
        fixed (byte* pw = weight, pa = activation)
        {
            for (int i = 0; i < nb; i++)
            {
                byte* x = pw + i * 110, y = pa + i * 292;
                // Sixteen 6-bit scales: low 4 bits from bytes 96..103 (low nibbles for groups 0-7, high for 8-15), top 2
                // bits from bytes 104..107 (2 bits per group), then offset by -32.
                const uint kmask1 = 0x03030303, kmask2 = 0x0f0f0f0f;
                uint a0 = *(uint*)(x + 96), a1 = *(uint*)(x + 100), tmp = *(uint*)(x + 104);
                var sc = Vec.Create(
                    (a0 & kmask2) | ((tmp & kmask1) << 4),
                    (a1 & kmask2) | (((tmp >> 2) & kmask1) << 4),
                    ((a0 >> 4) & kmask2) | (((tmp >> 4) & kmask1) << 4),
                    ((a1 >> 4) & kmask2) | (((tmp >> 6) & kmask1) << 4)).AsSByte() - Vec.Create((sbyte)32);
                sbyte* s = (sbyte*)&sc;
                var hm0 = Vector128.Load(x);
                var hm1 = Vector128.Load(x + 16);
                var sumi = Vector128<int>.Zero;
                for (int c = 0; c < 2; c++)
                {
                    var q0 = Vector128.Load(x + 32 + 32 * c);
                    var q1 = Vector128.Load(x + 48 + 32 * c);
                    sbyte* yc = (sbyte*)(y + Q8_K.QsOffset + 128 * c);
                    for (int k = 0; k < 4; k++)
                    {
                        // Value = low 2 bits + 4·(high-mask bit 4c + k), 0..7; the true value is that minus 4.
                        int b = 4 * c + k, g = 8 * c + 2 * k;
                        var u0 = (Shr(q0, 2 * k) & three) | Shl(Shr(hm0, b) & one, 2);
                        var u1 = (Shr(q1, 2 * k) & three) | Shl(Shr(hm1, b) & one, 2);
                        sumi += UnsignedDot(u0, Vector128.Load(yc + 32 * k)) * s[g];
                        sumi += UnsignedDot(u1, Vector128.Load(yc + 32 * k + 16)) * s[g + 1];
                    }
                }
                int isum = Vec.Sum(sumi) - 4 * BsumDot(y, sc);
                sumf += Fp16.Lookup(*(ushort*)(x + 108)) * *(float*)y * isum;
            }
        }
        return sumf;
    }

    public static float DotQ5_K(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, 256, Q5_K.BytesPerBlock, weight.Length, "Q5_K");
        Bits.Blocks(n, 256, Q8_K.BytesPerBlock, activation.Length, "Q8_K");
        var mask = Vec.Create((byte)0x0F);
        var one = Vec.Create((byte)1);
        float sumf = 0;
        fixed (byte* pw = weight, pa = activation)
        {
            for (int i = 0; i < nb; i++)
            {
                byte* x = pw + i * 176, y = pa + i * 292;
                var (scales, mins) = DotAvx2.UnpackScaleMinK4(x + 4);
                int summ = MinDot(y, mins);
                // Fifth bits: bit j of byte l belongs to value l of 32-element sub-block j.
                var qh0 = Vector128.Load(x + 16);
                var qh1 = Vector128.Load(x + 32);
                var sumi = Vector128<int>.Zero;
                for (int j = 0; j < 4; j++)
                {
                    int s0 = (int)(scales >> (16 * j)) & 0xFF, s1 = (int)(scales >> (16 * j + 8)) & 0xFF;
                    var qa = Vector128.Load(x + 48 + 32 * j);
                    var qb = Vector128.Load(x + 64 + 32 * j);
                    sbyte* yj = (sbyte*)(y + Q8_K.QsOffset + 64 * j);
                    var lo = UnsignedDot((qa & mask) | Shl(Shr(qh0, 2 * j) & one, 4), Vector128.Load(yj))
                           + UnsignedDot((qb & mask) | Shl(Shr(qh1, 2 * j) & one, 4), Vector128.Load(yj + 16));
                    var hi = UnsignedDot((Shr(qa, 4) & mask) | Shl(Shr(qh0, 2 * j + 1) & one, 4), Vector128.Load(yj + 32))
                           + UnsignedDot((Shr(qb, 4) & mask) | Shl(Shr(qh1, 2 * j + 1) & one, 4), Vector128.Load(yj + 48));
                    sumi += lo * s0 + hi * s1;
                }
                float dy = *(float*)y;
                sumf += Fp16.Lookup(*(ushort*)x) * dy * Vec.Sum(sumi) - Fp16.Lookup(*(ushort*)(x + 2)) * dy * summ;
            }
        }
        return sumf;
    }
}
