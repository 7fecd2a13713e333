using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Vec = System.Runtime.Intrinsics.Vector128;

namespace Hearth.Numerics;

/// <summary>
/// 128-bit dots for the IQ and ternary types: IQ4_NL / IQ4_XS look their indices up with a 16-byte table lookup
/// (pshufb / TBL), the grid and ternary types go through <see cref="IqDecode"/> and one shared integer block kernel.
/// Integer block sums are exact; only the float accumulation differs from the scalar references.
/// </summary>
internal static unsafe partial class DotV128
{
    /// <summary>table[idx] for 16 indices 0..15.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<sbyte> Lookup(Vector128<sbyte> table, Vector128<byte> idx)
    {
        if (Ssse3.IsSupported) return Ssse3.Shuffle(table, idx.AsSByte());
        if (AdvSimd.Arm64.IsSupported) return AdvSimd.Arm64.VectorTableLookup(table.AsByte(), idx).AsSByte();
        return Vec.Shuffle(table, idx.AsSByte());
    }

    public static float DotIQ4_NL(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, 32, IQ4_NL.BytesPerBlock, weight.Length, "IQ4_NL");
        Bits.Blocks(n, 32, Q8_0.BytesPerBlock, activation.Length, "Q8_0");
        var acc = Vector128<float>.Zero;
        var mask = Vec.Create((byte)0x0F);
        var table = Vector128.Load(IqTables.KValues);
        fixed (byte* pw = weight, pa = activation)
        {
            byte* x = pw, y = pa;
            for (int i = 0; i < nb; i++, x += 18, y += 34)
            {
                var q = Vector128.Load(x + 2);
                var p = DotI8(Lookup(table, q & mask), Vector128.Load((sbyte*)(y + 2)))
                      + DotI8(Lookup(table, Shr(q, 4) & mask), Vector128.Load((sbyte*)(y + 18)));
                acc = MulAdd(Vec.Create(Fp16.Lookup(*(ushort*)x) * Fp16.Lookup(*(ushort*)y)), Vec.ConvertToSingle(p), acc);
            }
        }
        return Vec.Sum(acc);
    }

    public static float DotIQ4_XS(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, 256, IQ4_XS.BytesPerBlock, weight.Length, "IQ4_XS");
        Bits.Blocks(n, 256, Q8_K.BytesPerBlock, activation.Length, "Q8_K");
        var mask = Vec.Create((byte)0x0F);
        var table = Vector128.Load(IqTables.KValues);
        float sumf = 0;
        fixed (byte* pw = weight, pa = activation)
        {
            for (int i = 0; i < nb; i++)
            {
                byte* x = pw + i * 136, y = pa + i * 292;
                uint h = *(ushort*)(x + 2);
                var sumi = Vector128<int>.Zero;
                for (int ib = 0; ib < 8; ib++)
                {
                    int ls = (((x[4 + (ib >> 1)] >> (4 * (ib & 1))) & 0xF) | ((int)((h >> (2 * ib)) & 3) << 4)) - 32;
                    var q = Vector128.Load(x + 8 + 16 * ib);
                    sbyte* yb = (sbyte*)(y + Q8_K.QsOffset + 32 * ib);
                    var p = DotI8(Lookup(table, q & mask), Vector128.Load(yb)) + DotI8(Lookup(table, Shr(q, 4) & mask), Vector128.Load(yb + 16));
                    sumi += p * ls;
                }
                sumf += Fp16.Lookup(*(ushort*)x) * *(float*)y * Vec.Sum(sumi);
            }
        }
        return sumf;
    }

    /// <summary>Σ_g s_g·Σ q·x over one decoded block and a Q8_K block's quants (exact in int32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int DecodedBlockDot(sbyte* q, short* s, sbyte* y)
    {
        var sumi = Vector128<int>.Zero;
        for (int g = 0; g < 16; g++) sumi += DotI8(Vector128.Load(q + 16 * g), Vector128.Load(y + 16 * g)) * s[g];
        return Vec.Sum(sumi);
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
                sumf += f * *(float*)y * DecodedBlockDot(q, s, (sbyte*)(y + Q8_K.QsOffset));
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
