namespace Hearth.Numerics;

/// <summary>
/// IQ2_XXS (ggml-common.h <c>block_iq2_xxs</c>, 66 bytes per 256 values): fp16 d, then per 32 values two 32-bit words:
/// the first holds four 8-bit indices into the 256-entry grid of 8 magnitudes, the second four 7-bit sign codes
/// (<see cref="IqTables.KSigns"/>) and a 4-bit scale s in its top bits. value = d·(0.5 + s)/4·grid·sign. Pairs with Q8_K.
/// </summary>
internal static unsafe class IQ2_XXS
{
    public const int BlockSize = KQuantMath.QK_K;
    public const int BytesPerBlock = 66;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = Bits.Blocks(dst.Length, BlockSize, BytesPerBlock, src.Length, "IQ2_XXS");
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BytesPerBlock, BytesPerBlock);
            float d = Bits.Half(b, 0);
            var y = dst.Slice(i * BlockSize, BlockSize);
            for (int ib = 0; ib < 8; ib++)
            {
                uint a0 = Bits.U32(b, 2 + 8 * ib), a1 = Bits.U32(b, 6 + 8 * ib);
                float db = d * (0.5f + (a1 >> 28)) * 0.25f;
                for (int l = 0; l < 4; l++)
                {
                    ulong grid = IqTables.Iq2xxs[(a0 >> (8 * l)) & 0xFF];
                    int signs = IqTables.KSigns[(a1 >> (7 * l)) & 127];
                    for (int j = 0; j < 8; j++) y[32 * ib + 8 * l + j] = db * IqTables.Byte(grid, j) * ((signs & (1 << j)) != 0 ? -1f : 1f);
                }
            }
        }
    }

    /// <summary>As ggml_vec_dot_iq2_xxs_q8_K_generic.</summary>
    public static float DotReference(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, BlockSize, BytesPerBlock, weight.Length, "IQ2_XXS");
        Bits.Blocks(n, Q8_K.BlockSize, Q8_K.BytesPerBlock, activation.Length, "Q8_K");
        float sumf = 0;
        for (int i = 0; i < nb; i++)
        {
            var x = weight.Slice(i * BytesPerBlock, BytesPerBlock);
            var y = activation.Slice(i * Q8_K.BytesPerBlock, Q8_K.BytesPerBlock);
            float d = Bits.Half(x, 0) * Bits.F32(y, 0);
            int bsum = 0;
            for (int ib = 0; ib < 8; ib++)
            {
                uint a0 = Bits.U32(x, 2 + 8 * ib), a1 = Bits.U32(x, 6 + 8 * ib);
                int ls = 2 * (int)(a1 >> 28) + 1;
                int sumi = 0;
                for (int l = 0; l < 4; l++)
                {
                    ulong grid = IqTables.Iq2xxs[(a0 >> (8 * l)) & 0xFF];
                    int signs = IqTables.KSigns[(a1 >> (7 * l)) & 127];
                    for (int j = 0; j < 8; j++)
                        sumi += IqTables.Byte(grid, j) * (sbyte)y[Q8_K.QsOffset + 32 * ib + 8 * l + j] * ((signs & (1 << j)) != 0 ? -1 : 1);
                }
                bsum += sumi * ls;
            }
            sumf += d * bsum;
        }
        return 0.125f * sumf;
    }

    public static float Decode(byte* x, sbyte* q, short* s)
    {
        for (int ib = 0; ib < 8; ib++)
        {
            byte* g = x + 2 + 8 * ib;
            uint a1 = *(uint*)(g + 4);
            for (int h = 0; h < 2; h++)
            {
                int l = 2 * h;
                IqDecode.Signed16(IqTables.Iq2xxs[g[l]], IqTables.Iq2xxs[g[l + 1]],
                    IqTables.SignMask[IqTables.KSigns[(a1 >> (7 * l)) & 127]], IqTables.SignMask[IqTables.KSigns[(a1 >> (7 * l + 7)) & 127]],
                    q + 32 * ib + 16 * h);
            }
            s[2 * ib] = s[2 * ib + 1] = (short)(2 * (a1 >> 28) + 1);
        }
        return Fp16.Lookup(*(ushort*)x) * 0.125f;
    }
}
