using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using ISA = System.Runtime.Intrinsics.X86.Avx2;
using Vec = System.Runtime.Intrinsics.Vector256;
using Vnni = System.Runtime.Intrinsics.X86.AvxVnni;

namespace Hearth.Numerics;

/// <summary>
/// AVX2 dot kernels for the K-quants against Q8_K. Quants are formed as unsigned bytes (offsets such as Q6_K's -32 are
/// applied afterwards through Q8_K's 16-element sums), multiplied with maddubs (no saturation: |q| ≤ 63, |y| ≤ 127)
/// and scaled by the 16- or 32-element scales with madd / vpdpwssd. Each super-block's integer sum is exact;
/// only the float accumulation over super-blocks differs from the reference.
/// </summary>
internal static unsafe partial class DotAvx2
{
    private const int Q8KQs = Q8_K.QsOffset;
    private const int Q8KBsums = Q8_K.BsumsOffset;

    /// <summary>acc + Σ (u·y pairs)·scale: 16 i16 pair sums, each times its scale lane, summed pairwise into 8 i32 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<int> ScaledDot(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> y, Vector256<short> scale)
    {
        var p16 = ISA.MultiplyAddAdjacent(u, y);
        if (Vnni.IsSupported) return Vnni.MultiplyWideningAndAdd(acc, p16, scale);
        return acc + ISA.MultiplyAddAdjacent(p16, scale);
    }

    /// <summary>Scale vector: the low 16 bytes' pairs use <paramref name="a"/>, the high ones <paramref name="b"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<short> Scales(int a, int b) => Vec.Create(Vector128.Create((short)a), Vector128.Create((short)b));

    /// <summary>Σ_g s[g]·bsums[g] over Q8_K's sixteen 16-element sums; <paramref name="s"/> holds 16 signed bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int BsumDot(byte* y, Vector128<sbyte> s) =>
        HorizontalSum(ISA.MultiplyAddAdjacent(Vector256.Load((short*)(y + Q8KBsums)), ISA.ConvertToVector256Int16(s)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<byte> Shr(Vector256<byte> v, int bits) => Vec.ShiftRightLogical(v.AsUInt16(), bits).AsByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<byte> Shl(Vector256<byte> v, int bits) => Vec.ShiftLeft(v.AsUInt16(), bits).AsByte();

    /// <summary>Q4_K/Q5_K: eight 6-bit scales (bytes of the first result) and mins (second), as ggml unpacks the 12 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (ulong Scales, ulong Mins) UnpackScaleMinK4(byte* s)
    {
        const uint kmask1 = 0x3f3f3f3f, kmask2 = 0x0f0f0f0f, kmask3 = 0x03030303;
        uint u0 = *(uint*)s, u1 = *(uint*)(s + 4), u2 = *(uint*)(s + 8);
        uint sc0 = u0 & kmask1;
        uint sc1 = (u2 & kmask2) | (((u0 >> 6) & kmask3) << 4);
        uint m0 = u1 & kmask1;
        uint m1 = ((u2 >> 4) & kmask2) | (((u1 >> 6) & kmask3) << 4);
        return (sc0 | ((ulong)sc1 << 32), m0 | ((ulong)m1 << 32));
    }

    public static float DotQ4_K(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, 256, Q4_K.BytesPerBlock, weight.Length, "Q4_K");
        Bits.Blocks(n, 256, Q8_K.BytesPerBlock, activation.Length, "Q8_K");
        var mask = Vec.Create((byte)0x0F);
        var dup = Vector128.Create((byte)0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
        float sumf = 0;
        fixed (byte* pw = weight, pa = activation)
        {
            for (int i = 0; i < nb; i++)
            {
                byte* x = pw + i * 144, y = pa + i * 292;
                float dy = *(float*)y;
                var (scales, mins) = UnpackScaleMinK4(x + 4);
                int summ = BsumDot(y, System.Runtime.Intrinsics.X86.Ssse3.Shuffle(Vector128.CreateScalar(mins).AsByte(), dup).AsSByte());
                var sumi = Vector256<int>.Zero;
                for (int j = 0; j < 4; j++)
                {
                    var q = Vector256.Load(x + 16 + 32 * j);
                    int s0 = (int)(scales >> (16 * j)) & 0xFF, s1 = (int)(scales >> (16 * j + 8)) & 0xFF;
                    sumi = ScaledDot(sumi, q & mask, Vector256.Load((sbyte*)(y + Q8KQs + 64 * j)), Vec.Create((short)s0));
                    sumi = ScaledDot(sumi, Shr(q, 4) & mask, Vector256.Load((sbyte*)(y + Q8KQs + 64 * j + 32)), Vec.Create((short)s1));
                }
                sumf += Fp16.Lookup(*(ushort*)x) * dy * HorizontalSum(sumi) - Fp16.Lookup(*(ushort*)(x + 2)) * dy * summ;
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
        var dup = Vector128.Create((byte)0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
        float sumf = 0;
        fixed (byte* pw = weight, pa = activation)
        {
            for (int i = 0; i < nb; i++)
            {
                byte* x = pw + i * 176, y = pa + i * 292;
                float dy = *(float*)y;
                var (scales, mins) = UnpackScaleMinK4(x + 4);
                int summ = BsumDot(y, System.Runtime.Intrinsics.X86.Ssse3.Shuffle(Vector128.CreateScalar(mins).AsByte(), dup).AsSByte());
                var qh = Vector256.Load(x + 16);
                var sumi = Vector256<int>.Zero;
                for (int j = 0; j < 4; j++)
                {
                    var q = Vector256.Load(x + 48 + 32 * j);
                    var lo = (q & mask) | Shl(Shr(qh, 2 * j) & one, 4);
                    var hi = (Shr(q, 4) & mask) | Shl(Shr(qh, 2 * j + 1) & one, 4);
                    int s0 = (int)(scales >> (16 * j)) & 0xFF, s1 = (int)(scales >> (16 * j + 8)) & 0xFF;
                    sumi = ScaledDot(sumi, lo, Vector256.Load((sbyte*)(y + Q8KQs + 64 * j)), Vec.Create((short)s0));
                    sumi = ScaledDot(sumi, hi, Vector256.Load((sbyte*)(y + Q8KQs + 64 * j + 32)), Vec.Create((short)s1));
                }
                sumf += Fp16.Lookup(*(ushort*)x) * dy * HorizontalSum(sumi) - Fp16.Lookup(*(ushort*)(x + 2)) * dy * summ;
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
                var sumi = Vector256<int>.Zero;
                for (int h = 0; h < 2; h++)
                {
                    var ql0 = Vector256.Load(x + 64 * h);
                    var ql1 = Vector256.Load(x + 64 * h + 32);
                    var qh = Vector256.Load(x + 128 + 32 * h);
                    byte* yh = y + Q8KQs + 128 * h;
                    sbyte* s = sc + 8 * h;
                    sumi = ScaledDot(sumi, (ql0 & mask) | Shl(qh & three, 4), Vector256.Load((sbyte*)yh), Scales(s[0], s[1]));
                    sumi = ScaledDot(sumi, (ql1 & mask) | Shl(Shr(qh, 2) & three, 4), Vector256.Load((sbyte*)(yh + 32)), Scales(s[2], s[3]));
                    sumi = ScaledDot(sumi, (Shr(ql0, 4) & mask) | Shl(Shr(qh, 4) & three, 4), Vector256.Load((sbyte*)(yh + 64)), Scales(s[4], s[5]));
                    sumi = ScaledDot(sumi, (Shr(ql1, 4) & mask) | Shl(Shr(qh, 6) & three, 4), Vector256.Load((sbyte*)(yh + 96)), Scales(s[6], s[7]));
                }
                // The quants were taken as 0..63; the true values are q - 32.
                int isum = HorizontalSum(sumi) - 32 * BsumDot(y, Vector128.Load(sc));
                sumf += Fp16.Lookup(*(ushort*)(x + 208)) * *(float*)y * isum;
            }
        }
        return sumf;
    }

    public static float DotQ3_K(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, 256, Q3_K.BytesPerBlock, weight.Length, "Q3_K");
        Bits.Blocks(n, 256, Q8_K.BytesPerBlock, activation.Length, "Q8_K");
        var three = Vec.Create((byte)3);
        var four = Vec.Create((byte)4);
        float sumf = 0;
        fixed (byte* pw = weight, pa = activation)
        {
            for (int i = 0; i < nb; i++)
            {
                byte* x = pw + i * 110, y = pa + i * 292;
                // Sixteen 6-bit scales, unpacked as ggml does (dequantize_row_q3_K), then offset by -32.
                const uint kmask1 = 0x03030303, kmask2 = 0x0f0f0f0f;
                uint a0 = *(uint*)(x + 96), a1 = *(uint*)(x + 100), tmp = *(uint*)(x + 104);
                var sc = Vector128.Create(
                    (a0 & kmask2) | (((tmp >> 0) & kmask1) << 4),
                    (a1 & kmask2) | (((tmp >> 2) & kmask1) << 4),
                    ((a0 >> 4) & kmask2) | (((tmp >> 4) & kmask1) << 4),
                    ((a1 >> 4) & kmask2) | (((tmp >> 6) & kmask1) << 4)).AsSByte() - Vector128.Create((sbyte)32);
                sbyte* s = (sbyte*)&sc;
                var hm = Vector256.Load(x);
                var sumi = Vector256<int>.Zero;
                for (int c = 0; c < 2; c++)
                {
                    var q = Vector256.Load(x + 32 + 32 * c);
                    for (int k = 0; k < 4; k++)
                    {
                        var u = (Shr(q, 2 * k) & three) | (Shl(Shr(hm, 4 * c + k) & Vec.Create((byte)1), 2) & four);
                        int g = 8 * c + 2 * k;
                        sumi = ScaledDot(sumi, u, Vector256.Load((sbyte*)(y + Q8KQs + 128 * c + 32 * k)), Scales(s[g], s[g + 1]));
                    }
                }
                // The quants were taken as low + 4·high (0..7); the true values are that minus 4.
                int isum = HorizontalSum(sumi) - 4 * BsumDot(y, sc);
                sumf += Fp16.Lookup(*(ushort*)(x + 108)) * *(float*)y * isum;
            }
        }
        return sumf;
    }

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
                var packed = Vector128.Load(x);
                int summs = BsumDot(y, Vector128.ShiftRightLogical(packed.AsUInt16(), 4).AsByte().AsSByte() & Vector128.Create((sbyte)0x0F));
                var sumi = Vector256<int>.Zero;
                for (int c = 0; c < 2; c++)
                {
                    var q = Vector256.Load(x + 16 + 32 * c);
                    for (int k = 0; k < 4; k++)
                    {
                        int g = 8 * c + 2 * k;
                        sumi = ScaledDot(sumi, Shr(q, 2 * k) & three, Vector256.Load((sbyte*)(y + Q8KQs + 128 * c + 32 * k)), Scales(x[g] & 0xF, x[g + 1] & 0xF));
                    }
                }
                float dy = *(float*)y;
                sumf += dy * Fp16.Lookup(*(ushort*)(x + 80)) * HorizontalSum(sumi) - dy * Fp16.Lookup(*(ushort*)(x + 82)) * summs;
            }
        }
        return sumf;
    }
}
