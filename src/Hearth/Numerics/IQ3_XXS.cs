namespace Hearth.Numerics;

/// <summary>
/// IQ3_XXS (ggml-common.h <c>block_iq3_xxs</c>, 98 bytes per 256 values): fp16 d, 64 bytes of indices into the
/// 256-entry grid of 4 magnitudes, then per 32 values a 32-bit word of four 7-bit sign codes and a 4-bit scale s.
/// value = d·(0.5 + s)/2·grid·sign.
/// </summary>
internal static unsafe class IQ3_XXS
{
    public const int BlockSize = KQuantMath.QK_K;
    public const int BytesPerBlock = 98;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = Bits.Blocks(dst.Length, BlockSize, BytesPerBlock, src.Length, "IQ3_XXS");
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BytesPerBlock, BytesPerBlock);
            float d = Bits.Half(b, 0);
            var y = dst.Slice(i * BlockSize, BlockSize);
            for (int ib = 0; ib < 8; ib++)
            {
                uint aux = Bits.U32(b, 66 + 4 * ib);
                float db = d * (0.5f + (aux >> 28)) * 0.5f;
                for (int l = 0; l < 4; l++)
                {
                    int signs = IqTables.KSigns[(aux >> (7 * l)) & 127];
                    ulong grid = IqTables.Iq3xxs[b[2 + 8 * ib + 2 * l]] | ((ulong)IqTables.Iq3xxs[b[2 + 8 * ib + 2 * l + 1]] << 32);
                    for (int j = 0; j < 8; j++) y[32 * ib + 8 * l + j] = db * IqTables.Byte(grid, j) * ((signs & (1 << j)) != 0 ? -1f : 1f);
                }
            }
        }
    }

    /// <summary>As ggml_vec_dot_iq3_xxs_q8_K_generic.</summary>
    public static float DotReference(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, BlockSize, BytesPerBlock, weight.Length, "IQ3_XXS");
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
                uint aux = Bits.U32(x, 66 + 4 * ib);
                int ls = 2 * (int)(aux >> 28) + 1;
                int sumi = 0;
                for (int l = 0; l < 4; l++)
                {
                    uint g1 = IqTables.Iq3xxs[x[2 + 8 * ib + 2 * l]], g2 = IqTables.Iq3xxs[x[2 + 8 * ib + 2 * l + 1]];
                    int signs = IqTables.KSigns[(aux >> (7 * l)) & 127];
                    int o = Q8_K.QsOffset + 32 * ib + 8 * l;
                    for (int j = 0; j < 4; j++)
                    {
                        sumi += (int)((g1 >> (8 * j)) & 0xFF) * (sbyte)y[o + j] * ((signs & (1 << j)) != 0 ? -1 : 1);
                        sumi += (int)((g2 >> (8 * j)) & 0xFF) * (sbyte)y[o + j + 4] * ((signs & (1 << (j + 4))) != 0 ? -1 : 1);
                    }
                }
                bsum += sumi * ls;
            }
            sumf += d * bsum;
        }
        return 0.25f * sumf;
    }

    public static float Decode(byte* x, sbyte* q, short* s)
    {
        for (int ib = 0; ib < 8; ib++)
        {
            byte* g = x + 2 + 8 * ib;
            uint aux = *(uint*)(x + 66 + 4 * ib);
            for (int h = 0; h < 2; h++)
            {
                int l = 2 * h;
                ulong e0 = IqTables.Iq3xxs[g[2 * l]] | ((ulong)IqTables.Iq3xxs[g[2 * l + 1]] << 32);
                ulong e1 = IqTables.Iq3xxs[g[2 * l + 2]] | ((ulong)IqTables.Iq3xxs[g[2 * l + 3]] << 32);
                IqDecode.Signed16(e0, e1, IqTables.SignMask[IqTables.KSigns[(aux >> (7 * l)) & 127]],
                    IqTables.SignMask[IqTables.KSigns[(aux >> (7 * l + 7)) & 127]], q + 32 * ib + 16 * h);
            }
            s[2 * ib] = s[2 * ib + 1] = (short)(2 * (aux >> 28) + 1);
        }
        return Fp16.Lookup(*(ushort*)x) * 0.25f;
    }
}
