namespace Hearth.Numerics;

/// <summary>
/// Q8_K (ggml-common.h <c>block_q8_K</c>, 292 bytes per 256 values): float32 scale d, 256 signed bytes, then sixteen
/// int16 sums of each group of 16 quants (bsums, used by the K-quant dots to apply the minimums cheaply). The activation
/// format paired with Q2_K..Q6_K; never stored in files.
/// </summary>
internal static class Q8_K
{
    public const int BlockSize = KQuantMath.QK_K;
    public const int BytesPerBlock = 292;
    public const int QsOffset = 4;
    public const int BsumsOffset = 260;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = Bits.Blocks(dst.Length, BlockSize, BytesPerBlock, src.Length, "Q8_K");
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BytesPerBlock, BytesPerBlock);
            float d = Bits.F32(b, 0);
            var y = dst.Slice(i * BlockSize, BlockSize);
            for (int j = 0; j < BlockSize; j++) y[j] = d * (sbyte)b[QsOffset + j];
        }
    }

    /// <summary>
    /// As ggml's quantize_row_q8_K_ref: iscale = -127 / (signed value of largest magnitude), q = min(127,
    /// nearest_int(iscale·x)) (ties to even), d = 1 / iscale, plus the 16-element sums.
    /// </summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = Bits.Blocks(src.Length, BlockSize, BytesPerBlock, dst.Length, "Q8_K");
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * BlockSize, BlockSize);
            var b = dst.Slice(i * BytesPerBlock, BytesPerBlock);
            float max = 0, amax = 0;
            for (int j = 0; j < BlockSize; j++)
            {
                float ax = MathF.Abs(x[j]);
                if (ax > amax) { amax = ax; max = x[j]; }
            }
            if (amax == 0)
            {
                // ggml leaves bsums untouched here; zero them so the block is fully defined (they are all zero anyway).
                b.Clear();
                continue;
            }
            float iscale = -127f / max;
            for (int j = 0; j < BlockSize; j++) b[QsOffset + j] = (byte)(sbyte)Math.Min(127, KQuantMath.NearestInt(iscale * x[j]));
            for (int g = 0; g < BlockSize / 16; g++)
            {
                int sum = 0;
                for (int k = 0; k < 16; k++) sum += (sbyte)b[QsOffset + g * 16 + k];
                Bits.WriteU16(b, BsumsOffset + 2 * g, (ushort)(short)sum);
            }
            Bits.WriteU32(b, 0, BitConverter.SingleToUInt32Bits(1 / iscale));
        }
    }
}
