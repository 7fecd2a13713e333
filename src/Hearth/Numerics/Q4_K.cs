namespace Hearth.Numerics;

/// <summary>
/// Q4_K (ggml-common.h <c>block_q4_K</c>, 144 bytes per 256 values): fp16 d, fp16 dmin, 12 bytes of eight 6-bit
/// scales and eight 6-bit mins (see <see cref="KQuantMath.GetScaleMinK4"/>), 128 bytes of 4-bit quants. Each 64 values
/// share 32 bytes: sub-block 2k in the low nibbles, 2k+1 in the high. value = d·sc·q - dmin·m.
/// </summary>
internal static class Q4_K
{
    public const int BlockSize = KQuantMath.QK_K;
    public const int BytesPerBlock = 144;
    private const int ScalesOffset = 4;
    private const int QsOffset = 16;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = Bits.Blocks(dst.Length, BlockSize, BytesPerBlock, src.Length, "Q4_K");
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BytesPerBlock, BytesPerBlock);
            float d = Bits.Half(b, 0), min = Bits.Half(b, 2);
            var scales = b.Slice(ScalesOffset, 12);
            var y = dst.Slice(i * BlockSize, BlockSize);
            for (int j = 0; j < 4; j++)
            {
                var q = b.Slice(QsOffset + 32 * j, 32);
                KQuantMath.GetScaleMinK4(2 * j, scales, out int sc, out int m);
                float d1 = d * sc, m1 = min * m;
                KQuantMath.GetScaleMinK4(2 * j + 1, scales, out sc, out m);
                float d2 = d * sc, m2 = min * m;
                for (int l = 0; l < 32; l++) y[64 * j + l] = d1 * (q[l] & 0xF) - m1;
                for (int l = 0; l < 32; l++) y[64 * j + 32 + l] = d2 * (q[l] >> 4) - m2;
            }
        }
    }

    /// <summary>As ggml's quantize_row_q4_K_ref (make_qkx2_quants per 32 values, weights av|x| + |x|, 6-bit scales).</summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = Bits.Blocks(src.Length, BlockSize, BytesPerBlock, dst.Length, "Q4_K");
        Span<byte> levels = stackalloc byte[BlockSize];
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * BlockSize, BlockSize);
            var b = dst.Slice(i * BytesPerBlock, BytesPerBlock);
            b.Clear();
            KQuantMath.QuantizeSuperBlockK4(x, b, ScalesOffset, levels, 15, -1f, 20);
            for (int j = 0; j < 4; j++)
            {
                for (int l = 0; l < 32; l++)
                    b[QsOffset + 32 * j + l] = (byte)(levels[64 * j + l] | (levels[64 * j + 32 + l] << 4));
            }
        }
    }

    /// <summary>
    /// As ggml_vec_dot_q4_K_q8_K_generic: per super-block, integer sums per sub-block scaled by the 6-bit scale,
    /// accumulated in eight float lanes; the minimums enter through Q8_K's 16-element sums.
    /// </summary>
    public static float DotReference(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, BlockSize, BytesPerBlock, weight.Length, "Q4_K");
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
                int qOff = QsOffset + 32 * (j >> 1);
                int yOff = Q8_K.QsOffset + 32 * j;
                for (int l = 0; l < 32; l++) aux32[l & 7] += sc * ((x[qOff + l] >> shift) & 0xF) * (sbyte)y[yOff + l];
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
