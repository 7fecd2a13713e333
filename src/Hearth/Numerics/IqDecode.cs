using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Hearth.Numerics;

/// <summary>
/// Decodes one 256-value block of a grid or ternary type into the form every SIMD dot and GEMM tile of these types
/// consumes: 256 signed bytes q, sixteen integer scales s (one per 16 values) and a float factor f such that the
/// block's dot with a Q8_K block is exactly f·d_x·Σ_g s_g·Σ_{i in g} q_i·x_i in integers (IQ1's ±1/8 shift is folded in
/// by storing 8·grid ± 1 and a factor of d/8). Returns f.
/// </summary>
internal unsafe delegate float BlockDecoder(byte* block, sbyte* q, short* scales);

internal static unsafe class IqDecode
{
    /// <summary>16 signed values from two 8-byte grid entries and their two 8-byte sign masks (0xFF = negative).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Signed16(ulong g0, ulong g1, ulong m0, ulong m1, sbyte* dst)
    {
        var v = Vector128.Create(g0, g1).AsSByte();
        var m = Vector128.Create(m0, m1).AsSByte();
        ((v ^ m) - m).Store(dst);
    }

    /// <summary>The function-pointer form of each type's decoder, for the tiles.</summary>
    public static delegate*<byte*, sbyte*, short*, float> For(GgmlType type) => type switch
    {
        GgmlType.IQ2_XXS => &IQ2_XXS.Decode,
        GgmlType.IQ2_XS => &IQ2_XS.Decode,
        GgmlType.IQ2_S => &IQ2_S.Decode,
        GgmlType.IQ3_XXS => &IQ3_XXS.Decode,
        GgmlType.IQ3_S => &IQ3_S.Decode,
        GgmlType.IQ1_S => &IQ1_S.Decode,
        GgmlType.IQ1_M => &IQ1_M.Decode,
        GgmlType.TQ1_0 => &TQ1_0.Decode,
        GgmlType.TQ2_0 => &TQ2_0.Decode,
        _ => null,
    };

    /// <summary>Scalar dot through the decoder (what the SIMD dots compute, in plain integer code): used by tests.</summary>
    public static float DotDecoded(GgmlType type, int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        var decode = For(type);
        int bytes = GgmlTypeSizes.BytesPerBlock(type);
        int nb = Bits.Blocks(n, 256, bytes, weight.Length, type.ToString());
        Bits.Blocks(n, 256, Q8_K.BytesPerBlock, activation.Length, "Q8_K");
        sbyte* q = stackalloc sbyte[256];
        short* s = stackalloc short[16];
        float sumf = 0;
        fixed (byte* pw = weight, pa = activation)
        {
            for (int i = 0; i < nb; i++)
            {
                float f = decode(pw + i * bytes, q, s);
                sbyte* y = (sbyte*)(pa + i * Q8_K.BytesPerBlock + Q8_K.QsOffset);
                int sumi = 0;
                for (int g = 0; g < 16; g++)
                {
                    int p = 0;
                    for (int j = 0; j < 16; j++) p += q[16 * g + j] * y[16 * g + j];
                    sumi += p * s[g];
                }
                sumf += f * *(float*)(pa + i * Q8_K.BytesPerBlock) * sumi;
            }
        }
        return sumf;
    }
}
