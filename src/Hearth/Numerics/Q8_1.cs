namespace Hearth.Numerics;

/// <summary>
/// Q8_1 (ggml-common.h <c>block_q8_1</c>, 36 bytes per 32 values): fp16 scale d, fp16 s = d·Σq, 32 signed bytes.
/// The activation format paired with Q4_1 and Q5_1 weights (s carries the minimum's contribution).
/// </summary>
internal static class Q8_1
{
    public const int BlockSize = 32;
    public const int BytesPerBlock = 36;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = Bits.Blocks(dst.Length, BlockSize, BytesPerBlock, src.Length, "Q8_1");
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BytesPerBlock, BytesPerBlock);
            float d = Bits.Half(b, 0);
            var y = dst.Slice(i * BlockSize, BlockSize);
            for (int j = 0; j < BlockSize; j++) y[j] = (sbyte)b[4 + j] * d;
        }
    }

    /// <summary>As ggml's quantize_row_q8_1_ref: Q8_0's rounding, plus s = fp16(Σq · d).</summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = Bits.Blocks(src.Length, BlockSize, BytesPerBlock, dst.Length, "Q8_1");
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * BlockSize, BlockSize);
            var b = dst.Slice(i * BytesPerBlock, BytesPerBlock);
            float amax = 0;
            for (int j = 0; j < BlockSize; j++) amax = MathF.Max(amax, MathF.Abs(x[j]));
            float d = amax / 127;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Bits.WriteHalf(b, 0, d);
            int sum = 0;
            for (int j = 0; j < BlockSize; j++)
            {
                sbyte q = (sbyte)MathF.Round(x[j] * id, MidpointRounding.AwayFromZero);
                b[4 + j] = (byte)q;
                sum += q;
            }
            Bits.WriteHalf(b, 2, sum * d);
        }
    }
}
