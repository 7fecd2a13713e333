namespace Hearth.Numerics;

/// <summary>
/// IQ2_XS (ggml-common.h <c>block_iq2_xs</c>, 74 bytes per 256 values): fp16 d, 32 16-bit codes (9-bit index into the
/// 512-entry grid, 7-bit sign code), 8 bytes of two 4-bit scales (one per 16 values). value = d·(0.5 + s)/4·grid·sign.
/// </summary>
internal static unsafe class IQ2_XS
{
    public const int BlockSize = KQuantMath.QK_K;
    public const int BytesPerBlock = 74;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = Bits.Blocks(dst.Length, BlockSize, BytesPerBlock, src.Length, "IQ2_XS");
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BytesPerBlock, BytesPerBlock);
            float d = Bits.Half(b, 0);
            var y = dst.Slice(i * BlockSize, BlockSize);
            for (int ib = 0; ib < 8; ib++)
            {
                int sc = b[66 + ib];
                float db0 = d * (0.5f + (sc & 0xF)) * 0.25f, db1 = d * (0.5f + (sc >> 4)) * 0.25f;
                for (int l = 0; l < 4; l++)
                {
                    int code = Bits.U16(b, 2 + 2 * (4 * ib + l));
                    ulong grid = IqTables.Iq2xs[code & 511];
                    int signs = IqTables.KSigns[code >> 9];
                    float db = l < 2 ? db0 : db1;
                    for (int j = 0; j < 8; j++) y[32 * ib + 8 * l + j] = db * IqTables.Byte(grid, j) * ((signs & (1 << j)) != 0 ? -1f : 1f);
                }
            }
        }
    }

    /// <summary>As ggml_vec_dot_iq2_xs_q8_K_generic.</summary>
    public static float DotReference(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, BlockSize, BytesPerBlock, weight.Length, "IQ2_XS");
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
                int sc = x[66 + ib];
                for (int half = 0; half < 2; half++)
                {
                    int ls = 2 * (half == 0 ? sc & 0xF : sc >> 4) + 1;
                    int sumi = 0;
                    for (int l = 2 * half; l < 2 * half + 2; l++)
                    {
                        int code = Bits.U16(x, 2 + 2 * (4 * ib + l));
                        ulong grid = IqTables.Iq2xs[code & 511];
                        int signs = IqTables.KSigns[code >> 9];
                        for (int j = 0; j < 8; j++)
                            sumi += IqTables.Byte(grid, j) * (sbyte)y[Q8_K.QsOffset + 32 * ib + 8 * l + j] * ((signs & (1 << j)) != 0 ? -1 : 1);
                    }
                    bsum += sumi * ls;
                }
            }
            sumf += d * bsum;
        }
        return 0.125f * sumf;
    }

    public static float Decode(byte* x, sbyte* q, short* s)
    {
        ushort* codes = (ushort*)(x + 2);
        for (int k = 0; k < 16; k++)
        {
            int c0 = codes[2 * k], c1 = codes[2 * k + 1];
            IqDecode.Signed16(IqTables.Iq2xs[c0 & 511], IqTables.Iq2xs[c1 & 511],
                IqTables.SignMask[IqTables.KSigns[c0 >> 9]], IqTables.SignMask[IqTables.KSigns[c1 >> 9]], q + 16 * k);
            int sc = x[66 + (k >> 1)];
            s[k] = (short)(2 * ((k & 1) == 0 ? sc & 0xF : sc >> 4) + 1);
        }
        return Fp16.Lookup(*(ushort*)x) * 0.125f;
    }
}
