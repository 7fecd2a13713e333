namespace Hearth.Numerics;

/// <summary>
/// Q2_K (ggml-common.h <c>block_q2_K</c>, 84 bytes per 256 values): sixteen bytes of 4-bit scale (low) and 4-bit min
/// (high) per 16 values, 64 bytes of 2-bit quants, fp16 d, fp16 dmin. Value 128c + 32j + l sits in bits 2j..2j+1 of
/// qs[32c + l]. value = d·sc·q - dmin·m.
/// </summary>
internal static class Q2_K
{
    public const int BlockSize = KQuantMath.QK_K;
    public const int BytesPerBlock = 84;
    private const int QsOffset = 16;
    private const int DOffset = 80;
    private const int DminOffset = 82;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = Bits.Blocks(dst.Length, BlockSize, BytesPerBlock, src.Length, "Q2_K");
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BytesPerBlock, BytesPerBlock);
            float d = Bits.Half(b, DOffset), min = Bits.Half(b, DminOffset);
            var y = dst.Slice(i * BlockSize, BlockSize);
            for (int v = 0; v < BlockSize; v++)
            {
                int sc = b[v / 16];
                int q = (b[QsOffset + 32 * (v / 128) + v % 32] >> (2 * (v / 32 % 4))) & 3;
                float dl = d * (sc & 0xF), ml = min * (sc >> 4);
                y[v] = dl * q - ml;
            }
        }
    }

    /// <summary>As ggml's quantize_row_q2_K_ref (make_qkx2_quants per 16 values, |x| weights, absolute error).</summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = Bits.Blocks(src.Length, BlockSize, BytesPerBlock, dst.Length, "Q2_K");
        Span<byte> levels = stackalloc byte[BlockSize];
        Span<byte> laux = stackalloc byte[16];
        Span<float> weights = stackalloc float[16];
        Span<float> mins = stackalloc float[16];
        Span<float> scales = stackalloc float[16];
        const float q4scale = 15f;
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * BlockSize, BlockSize);
            var b = dst.Slice(i * BytesPerBlock, BytesPerBlock);
            b.Clear();
            float maxScale = 0, maxMin = 0;
            for (int j = 0; j < 16; j++)
            {
                var xs = x.Slice(16 * j, 16);
                for (int l = 0; l < 16; l++) weights[l] = MathF.Abs(xs[l]);
                scales[j] = KQuantMath.MakeQkx2Quants(16, 3, xs, weights, levels.Slice(16 * j, 16), out mins[j], laux, -0.5f, 0.1f, 15, true);
                if (scales[j] > maxScale) maxScale = scales[j];
                if (mins[j] > maxMin) maxMin = mins[j];
            }
            if (maxScale > 0)
            {
                float iscale = q4scale / maxScale;
                for (int j = 0; j < 16; j++) b[j] = (byte)KQuantMath.NearestInt(iscale * scales[j]);
                Bits.WriteHalf(b, DOffset, maxScale / q4scale);
            }
            if (maxMin > 0)
            {
                float iscale = q4scale / maxMin;
                for (int j = 0; j < 16; j++) b[j] |= (byte)(KQuantMath.NearestInt(iscale * mins[j]) << 4);
                Bits.WriteHalf(b, DminOffset, maxMin / q4scale);
            }
            float dAll = Bits.Half(b, DOffset), dMinAll = Bits.Half(b, DminOffset);
            for (int j = 0; j < 16; j++)
            {
                float d = dAll * (b[j] & 0xF);
                if (d == 0) continue;
                float dm = dMinAll * (b[j] >> 4);
                for (int ii = 0; ii < 16; ii++)
                    levels[16 * j + ii] = (byte)Math.Clamp(KQuantMath.NearestInt((x[16 * j + ii] + dm) / d), 0, 3);
            }
            PackTwoBit(levels, b.Slice(QsOffset, 64));
        }
    }

    /// <summary>Value 128c + 32j + l goes to bits 2j..2j+1 of byte 32c + l (shared with Q3_K's low bits).</summary>
    internal static void PackTwoBit(ReadOnlySpan<byte> levels, Span<byte> qs)
    {
        for (int c = 0; c < 2; c++)
        {
            for (int l = 0; l < 32; l++)
            {
                int o = 128 * c + l;
                qs[32 * c + l] = (byte)(levels[o] | (levels[o + 32] << 2) | (levels[o + 64] << 4) | (levels[o + 96] << 6));
            }
        }
    }

    /// <summary>As ggml_vec_dot_q2_K_q8_K_generic: Σ d·sc·Σ(q·q8) - dmin·Σ m·bsum, the sums in integers.</summary>
    public static float DotReference(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, BlockSize, BytesPerBlock, weight.Length, "Q2_K");
        Bits.Blocks(n, Q8_K.BlockSize, Q8_K.BytesPerBlock, activation.Length, "Q8_K");
        float sumf = 0;
        for (int i = 0; i < nb; i++)
        {
            var x = weight.Slice(i * BytesPerBlock, BytesPerBlock);
            var y = activation.Slice(i * Q8_K.BytesPerBlock, Q8_K.BytesPerBlock);
            int summs = 0;
            for (int j = 0; j < 16; j++) summs += Bits.I16(y, Q8_K.BsumsOffset + 2 * j) * (x[j] >> 4);
            float dy = Bits.F32(y, 0);
            float dall = dy * Bits.Half(x, DOffset);
            float dmin = dy * Bits.Half(x, DminOffset);
            int isum = 0;
            for (int g = 0; g < 16; g++)
            {
                int isuml = 0;
                int qOff = QsOffset + 32 * (g / 8) + 16 * (g % 2);
                int shift = 2 * (g / 2 % 4);
                for (int l = 0; l < 16; l++) isuml += (sbyte)y[Q8_K.QsOffset + 16 * g + l] * ((x[qOff + l] >> shift) & 3);
                isum += (x[g] & 0xF) * isuml;
            }
            sumf += dall * isum - dmin * summs;
        }
        return sumf;
    }
}
