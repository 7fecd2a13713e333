using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FMA = System.Runtime.Intrinsics.X86.Fma;
using ISA = System.Runtime.Intrinsics.X86.Avx2;
using Vec = System.Runtime.Intrinsics.Vector256;

namespace Hearth.Numerics;

/// <summary>
/// AVX2 dot kernels for the IQ and ternary types. IQ4_NL / IQ4_XS look their 4-bit indices up in the 16 levels with
/// vpshufb; the grid and ternary types decode each block through <see cref="IqDecode"/> into signed bytes and 16-value
/// scales, then one shared integer kernel (|q| and sign(x, q) through maddubs, scales through madd / vpdpwssd) sums the
/// block exactly; only the float accumulation over blocks differs from the scalar references.
/// </summary>
internal static unsafe partial class DotAvx2
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<sbyte> Iq4Table() => Vec.Create(Vector128.Load(IqTables.KValues));

    /// <summary>Σ u·y per 4 adjacent bytes → 8 int lanes, for unsigned u ≤ 127 (no saturation in maddubs).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<int> DotI8Unsigned(Vector256<byte> u, Vector256<sbyte> y)
    {
        if (System.Runtime.Intrinsics.X86.AvxVnni.IsSupported) return System.Runtime.Intrinsics.X86.AvxVnni.MultiplyWideningAndAdd(Vector256<int>.Zero, u, y);
        return ISA.MultiplyAddAdjacent(ISA.MultiplyAddAdjacent(u, y), Vec.Create((short)1));
    }

    public static float DotIQ4_NL(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, 32, IQ4_NL.BytesPerBlock, weight.Length, "IQ4_NL");
        Bits.Blocks(n, 32, Q8_0.BytesPerBlock, activation.Length, "Q8_0");
        var acc = Vector256<float>.Zero;
        var table = Iq4Table();
        fixed (byte* pw = weight, pa = activation)
        {
            byte* x = pw, y = pa;
            for (int i = 0; i < nb; i++, x += 18, y += 34)
            {
                var w = ISA.Shuffle(table, Nibbles(x + 2).AsSByte());
                var p = DotI8(w, Vector256.Load((sbyte*)(y + 2)));
                acc = FMA.MultiplyAdd(Vec.Create(Fp16.Lookup(*(ushort*)x) * Fp16.Lookup(*(ushort*)y)), ISA.ConvertToVector256Single(p), acc);
            }
        }
        return HorizontalSum(acc);
    }

    public static float DotIQ4_XS(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, 256, IQ4_XS.BytesPerBlock, weight.Length, "IQ4_XS");
        Bits.Blocks(n, 256, Q8_K.BytesPerBlock, activation.Length, "Q8_K");
        var table = Iq4Table();
        float sumf = 0;
        fixed (byte* pw = weight, pa = activation)
        {
            for (int i = 0; i < nb; i++)
            {
                byte* x = pw + i * 136, y = pa + i * 292;
                uint h = *(ushort*)(x + 2);
                var sumi = Vector256<int>.Zero;
                for (int ib = 0; ib < 8; ib++)
                {
                    int ls = (((x[4 + (ib >> 1)] >> (4 * (ib & 1))) & 0xF) | ((int)((h >> (2 * ib)) & 3) << 4)) - 32;
                    var w = ISA.Shuffle(table, Nibbles(x + 8 + 16 * ib).AsSByte());
                    var q8 = Vector256.Load((sbyte*)(y + Q8KQs + 32 * ib));
                    sumi = ScaledDot(sumi, ISA.Abs(w), ISA.Sign(q8, w), Vec.Create((short)ls));
                }
                sumf += Fp16.Lookup(*(ushort*)x) * *(float*)y * HorizontalSum(sumi);
            }
        }
        return sumf;
    }

    /// <summary>Σ_g s_g·Σ q·x over one decoded block and a Q8_K block's quants (exact in int32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int DecodedBlockDot(sbyte* q, short* s, sbyte* y)
    {
        var sumi = Vector256<int>.Zero;
        // Lanes 2k, 2k+1 of the 16 shorts → scale vector for chunk k (low 8 shorts s[2k], high 8 s[2k+1]).
        for (int k = 0; k < 8; k++)
        {
            var w = Vec.Load(q + 32 * k);
            var sc = Vec.Create(Vector128.Create(s[2 * k]), Vector128.Create(s[2 * k + 1]));
            sumi = ScaledDot(sumi, ISA.Abs(w), ISA.Sign(Vec.Load(y + 32 * k), w), sc);
        }
        return HorizontalSum(sumi);
    }

    private static float DotDecoded(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation,
        delegate*<byte*, sbyte*, short*, float> decode, int bytesPerBlock, string type)
    {
        int nb = Bits.Blocks(n, 256, bytesPerBlock, weight.Length, type);
        Bits.Blocks(n, 256, Q8_K.BytesPerBlock, activation.Length, "Q8_K");
        sbyte* q = stackalloc sbyte[256];
        short* s = stackalloc short[16];
        float sumf = 0;
        fixed (byte* pw = weight, pa = activation)
        {
            for (int i = 0; i < nb; i++)
            {
                byte* y = pa + i * 292;
                float f = decode(pw + i * bytesPerBlock, q, s);
                sumf += f * *(float*)y * DecodedBlockDot(q, s, (sbyte*)(y + Q8KQs));
            }
        }
        return sumf;
    }

    public static float DotIQ2_XXS(int n, ReadOnlySpan<byte> w, ReadOnlySpan<byte> a) => DotDecoded(n, w, a, &IQ2_XXS.Decode, IQ2_XXS.BytesPerBlock, "IQ2_XXS");

    public static float DotIQ2_XS(int n, ReadOnlySpan<byte> w, ReadOnlySpan<byte> a) => DotDecoded(n, w, a, &IQ2_XS.Decode, IQ2_XS.BytesPerBlock, "IQ2_XS");

    public static float DotIQ2_S(int n, ReadOnlySpan<byte> w, ReadOnlySpan<byte> a) => DotDecoded(n, w, a, &IQ2_S.Decode, IQ2_S.BytesPerBlock, "IQ2_S");

    public static float DotIQ3_XXS(int n, ReadOnlySpan<byte> w, ReadOnlySpan<byte> a) => DotDecoded(n, w, a, &IQ3_XXS.Decode, IQ3_XXS.BytesPerBlock, "IQ3_XXS");

    public static float DotIQ3_S(int n, ReadOnlySpan<byte> w, ReadOnlySpan<byte> a) => DotDecoded(n, w, a, &IQ3_S.Decode, IQ3_S.BytesPerBlock, "IQ3_S");

    public static float DotIQ1_S(int n, ReadOnlySpan<byte> w, ReadOnlySpan<byte> a) => DotDecoded(n, w, a, &IQ1_S.Decode, IQ1_S.BytesPerBlock, "IQ1_S");

    public static float DotIQ1_M(int n, ReadOnlySpan<byte> w, ReadOnlySpan<byte> a) => DotDecoded(n, w, a, &IQ1_M.Decode, IQ1_M.BytesPerBlock, "IQ1_M");

    public static float DotTQ1_0(int n, ReadOnlySpan<byte> w, ReadOnlySpan<byte> a) => DotDecoded(n, w, a, &TQ1_0.Decode, TQ1_0.BytesPerBlock, "TQ1_0");

    public static float DotTQ2_0(int n, ReadOnlySpan<byte> w, ReadOnlySpan<byte> a) => DotDecoded(n, w, a, &TQ2_0.Decode, TQ2_0.BytesPerBlock, "TQ2_0");
}
