namespace Hearth.Numerics;

/// <summary>
/// Q5_K (ggml-common.h <c>block_q5_K</c>, 176 bytes per 256 values): fp16 d, fp16 dmin, 12 bytes of 6-bit scales and
/// mins as Q4_K, 32 bytes qh (the fifth bit of value v is bit v/32 of qh[v % 32]), 128 bytes of low nibbles as Q4_K.
/// value = d·sc·q - dmin·m.
/// </summary>
internal static class Q5_K
{
    public const int BlockSize = KQuantMath.QK_K;
    public const int BytesPerBlock = 176;
    private const int ScalesOffset = 4;
    private const int QhOffset = 16;
    private const int QsOffset = 48;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = Bits.Blocks(dst.Length, BlockSize, BytesPerBlock, src.Length, "Q5_K");
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BytesPerBlock, BytesPerBlock);
            float d = Bits.Half(b, 0), min = Bits.Half(b, 2);
            var scales = b.Slice(ScalesOffset, 12);
            var y = dst.Slice(i * BlockSize, BlockSize);
            for (int j = 0; j < 8; j++)
            {
                KQuantMath.GetScaleMinK4(j, scales, out int sc, out int m);
                float d1 = d * sc, m1 = min * m;
                int shift = (j & 1) * 4;
                for (int l = 0; l < 32; l++)
                {
                    int q = ((b[QsOffset + 32 * (j >> 1) + l] >> shift) & 0xF) + (((b[QhOffset + l] >> j) & 1) != 0 ? 16 : 0);
                    y[32 * j + l] = d1 * q - m1;
                }
            }
        }
    }

    /// <summary>As ggml's quantize_row_q5_K_ref (make_qkx2_quants per 32 values, weights av|x| + |x|, 6-bit scales).</summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = Bits.Blocks(src.Length, BlockSize, BytesPerBlock, dst.Length, "Q5_K");
        Span<byte> levels = stackalloc byte[BlockSize];
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * BlockSize, BlockSize);
            var b = dst.Slice(i * BytesPerBlock, BytesPerBlock);
            b.Clear();
            KQuantMath.QuantizeSuperBlockK4(x, b, ScalesOffset, levels, 31, -0.5f, 15);
            for (int v = 0; v < BlockSize; v++)
            {
                int l = levels[v];
                if (l > 15)
                {
                    l -= 16;
                    b[QhOffset + v % 32] |= (byte)(1 << (v / 32));
                }
                int shift = (v / 32 & 1) * 4;
                b[QsOffset + 32 * (v / 64) + v % 32] |= (byte)(l << shift);
            }
        }
    }

    /// <summary>As ggml_vec_dot_q5_K_q8_K_generic (the Q4_K scheme with the fifth bit).</summary>
    public static float DotReference(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, BlockSize, BytesPerBlock, weight.Length, "Q5_K");
        Bits.Blocks(n, Q8_K.BlockSize, Q8_K.BytesPerBlock, activation.Length, "Q8_K");
        Span<float> sums = stackalloc float[8];
        Span<int> aux32 = stackalloc int[8];
        sums.Clear();
        float sumf = 0;
        for (int i = 0; i < nb; i++)
        {
            var x = weight.Slice(i * BytesPerBlock, BytesPerBlock);
            var y = activation.Slice(i * Q8_K.BytesPerBlock, Q8_K.BytesPerBlock);
            var scales = x.Slice(ScalesOffset, 12);
            aux32.Clear();
            int sumi = 0;
            for (int j = 0; j < 8; j++)
            {
                KQuantMath.GetScaleMinK4(j, scales, out int sc, out int m);
                sumi += (Bits.I16(y, Q8_K.BsumsOffset + 4 * j) + Bits.I16(y, Q8_K.BsumsOffset + 4 * j + 2)) * m;
                int shift = (j & 1) * 4;
                for (int l = 0; l < 32; l++)
                {
                    int q = ((x[QsOffset + 32 * (j >> 1) + l] >> shift) & 0xF) + (((x[QhOffset + l] >> j) & 1) << 4);
                    aux32[l & 7] += sc * (q * (sbyte)y[Q8_K.QsOffset + 32 * j + l]);
                }
            }
            float d = Bits.Half(x, 0) * Bits.F32(y, 0);
            for (int l = 0; l < 8; l++) sums[l] += d * aux32[l];
            float dmin = Bits.Half(x, 2) * Bits.F32(y, 0);
            sumf -= dmin * sumi;
        }
        for (int l = 0; l < 8; l++) sumf += sums[l];
        return sumf;
    }
}
