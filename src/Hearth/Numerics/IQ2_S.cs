namespace Hearth.Numerics;

/// <summary>
/// IQ2_S (ggml-common.h <c>block_iq2_s</c>, 82 bytes per 256 values): fp16 d, 32 bytes of low grid-index bits, 32 bytes
/// of sign masks (one per 8 values, bit j negative), 8 bytes of high index bits (2 per 8 values: a 10-bit index into the
/// 1024-entry grid), 8 bytes of two 4-bit scales. value = d·(0.5 + s)/4·grid·sign.
/// </summary>
internal static unsafe class IQ2_S
{
    public const int BlockSize = KQuantMath.QK_K;
    public const int BytesPerBlock = 82;

    private static int Index(ReadOnlySpan<byte> b, int ib, int l) => b[2 + 4 * ib + l] | ((b[66 + ib] << (8 - 2 * l)) & 0x300);

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = Bits.Blocks(dst.Length, BlockSize, BytesPerBlock, src.Length, "IQ2_S");
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BytesPerBlock, BytesPerBlock);
            float d = Bits.Half(b, 0);
            var y = dst.Slice(i * BlockSize, BlockSize);
            for (int ib = 0; ib < 8; ib++)
            {
                int sc = b[74 + ib];
                float db0 = d * (0.5f + (sc & 0xF)) * 0.25f, db1 = d * (0.5f + (sc >> 4)) * 0.25f;
                for (int l = 0; l < 4; l++)
                {
                    ulong grid = IqTables.Iq2s[Index(b, ib, l)];
                    int signs = b[34 + 4 * ib + l];
                    float dl = l < 2 ? db0 : db1;
                    for (int j = 0; j < 8; j++) y[32 * ib + 8 * l + j] = dl * IqTables.Byte(grid, j) * ((signs & (1 << j)) != 0 ? -1f : 1f);
                }
            }
        }
    }

    /// <summary>As ggml_vec_dot_iq2_s_q8_K_generic.</summary>
    public static float DotReference(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, BlockSize, BytesPerBlock, weight.Length, "IQ2_S");
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
                int ls1 = 1 + 2 * (x[74 + ib] & 0xF), ls2 = 1 + 2 * (x[74 + ib] >> 4);
                int sumi1 = 0, sumi2 = 0;
                for (int l = 0; l < 4; l++)
                {
                    ulong grid = IqTables.Iq2s[Index(x, ib, l)];
                    int signs = x[34 + 4 * ib + l];
                    int p = 0;
                    for (int j = 0; j < 8; j++)
                        p += (sbyte)y[Q8_K.QsOffset + 32 * ib + 8 * l + j] * IqTables.Byte(grid, j) * ((signs & (1 << j)) != 0 ? -1 : 1);
                    if (l < 2) sumi1 += p;
                    else sumi2 += p;
                }
                bsum += ls1 * sumi1 + ls2 * sumi2;
            }
            sumf += d * bsum;
        }
        return 0.125f * sumf;
    }

    public static float Decode(byte* x, sbyte* q, short* s)
    {
        for (int ib = 0; ib < 8; ib++)
        {
            byte* qs = x + 2 + 4 * ib;
            byte* signs = x + 34 + 4 * ib;
            int qh = x[66 + ib];
            for (int h = 0; h < 2; h++)
            {
                int l = 2 * h;
                IqDecode.Signed16(IqTables.Iq2s[qs[l] | ((qh << (8 - 2 * l)) & 0x300)], IqTables.Iq2s[qs[l + 1] | ((qh << (6 - 2 * l)) & 0x300)],
                    IqTables.SignMask[signs[l]], IqTables.SignMask[signs[l + 1]], q + 32 * ib + 16 * h);
            }
            int sc = x[74 + ib];
            s[2 * ib] = (short)(2 * (sc & 0xF) + 1);
            s[2 * ib + 1] = (short)(2 * (sc >> 4) + 1);
        }
        return Fp16.Lookup(*(ushort*)x) * 0.125f;
    }
}
