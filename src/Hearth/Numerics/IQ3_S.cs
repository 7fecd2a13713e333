namespace Hearth.Numerics;

/// <summary>
/// IQ3_S (ggml-common.h <c>block_iq3_s</c>, 110 bytes per 256 values): fp16 d, 64 bytes of low grid-index bits, 8 bytes
/// of ninth index bits (one per 4 values: a 9-bit index into the 512-entry grid of 4 magnitudes), 32 bytes of sign masks
/// (one per 8 values), 4 bytes of two 4-bit scales (one per 32 values). value = d·(1 + 2s)·grid·sign.
/// </summary>
internal static unsafe class IQ3_S
{
    public const int BlockSize = KQuantMath.QK_K;
    public const int BytesPerBlock = 110;

    /// <summary>The two grid entries of 8 values l (0..3) of sub-block ib, as one 8-byte entry.</summary>
    private static ulong Pair(ReadOnlySpan<byte> b, int ib, int l)
    {
        int qh = b[66 + ib];
        uint g1 = IqTables.Iq3s[b[2 + 8 * ib + 2 * l] | ((qh << (8 - 2 * l)) & 256)];
        uint g2 = IqTables.Iq3s[b[2 + 8 * ib + 2 * l + 1] | ((qh << (7 - 2 * l)) & 256)];
        return g1 | ((ulong)g2 << 32);
    }

    private static int ScaleCode(ReadOnlySpan<byte> b, int ib) => (b[106 + ib / 2] >> (4 * (ib % 2))) & 0xF;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = Bits.Blocks(dst.Length, BlockSize, BytesPerBlock, src.Length, "IQ3_S");
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BytesPerBlock, BytesPerBlock);
            float d = Bits.Half(b, 0);
            var y = dst.Slice(i * BlockSize, BlockSize);
            for (int ib = 0; ib < 8; ib++)
            {
                float db = d * (1 + 2 * ScaleCode(b, ib));
                for (int l = 0; l < 4; l++)
                {
                    ulong grid = Pair(b, ib, l);
                    int signs = b[74 + 4 * ib + l];
                    for (int j = 0; j < 8; j++) y[32 * ib + 8 * l + j] = db * IqTables.Byte(grid, j) * ((signs & (1 << j)) != 0 ? -1f : 1f);
                }
            }
        }
    }

    /// <summary>As ggml_vec_dot_iq3_s_q8_K_generic.</summary>
    public static float DotReference(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, BlockSize, BytesPerBlock, weight.Length, "IQ3_S");
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
                int ls = 2 * ScaleCode(x, ib) + 1;
                int sumi = 0;
                for (int l = 0; l < 4; l++)
                {
                    ulong grid = Pair(x, ib, l);
                    int signs = x[74 + 4 * ib + l];
                    for (int j = 0; j < 8; j++)
                        sumi += IqTables.Byte(grid, j) * (sbyte)y[Q8_K.QsOffset + 32 * ib + 8 * l + j] * ((signs & (1 << j)) != 0 ? -1 : 1);
                }
                bsum += sumi * ls;
            }
            sumf += d * bsum;
        }
        return sumf;
    }

    public static float Decode(byte* x, sbyte* q, short* s)
    {
        for (int ib = 0; ib < 8; ib++)
        {
            byte* qs = x + 2 + 8 * ib;
            byte* signs = x + 74 + 4 * ib;
            int qh = x[66 + ib];
            for (int h = 0; h < 2; h++)
            {
                int l = 2 * h;
                ulong e0 = IqTables.Iq3s[qs[2 * l] | ((qh << (8 - 2 * l)) & 256)] | ((ulong)IqTables.Iq3s[qs[2 * l + 1] | ((qh << (7 - 2 * l)) & 256)] << 32);
                ulong e1 = IqTables.Iq3s[qs[2 * l + 2] | ((qh << (6 - 2 * l)) & 256)] | ((ulong)IqTables.Iq3s[qs[2 * l + 3] | ((qh << (5 - 2 * l)) & 256)] << 32);
                IqDecode.Signed16(e0, e1, IqTables.SignMask[signs[l]], IqTables.SignMask[signs[l + 1]], q + 32 * ib + 16 * h);
            }
            s[2 * ib] = s[2 * ib + 1] = (short)(2 * ((x[106 + ib / 2] >> (4 * (ib % 2))) & 0xF) + 1);
        }
        return Fp16.Lookup(*(ushort*)x);
    }
}
