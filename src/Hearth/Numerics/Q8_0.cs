namespace Hearth.Numerics;

/// <summary>
/// Q8_0 (ggml-common.h <c>block_q8_0</c>, 34 bytes per 32 values): fp16 scale d, 32 signed bytes; value = q * d.
/// A weight format and the activation format paired with Q4_0, Q5_0 and Q8_0 weights.
/// </summary>
internal static class Q8_0
{
    public const int BlockSize = 32;
    public const int BytesPerBlock = 34;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = Bits.Blocks(dst.Length, BlockSize, BytesPerBlock, src.Length, "Q8_0");
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BytesPerBlock, BytesPerBlock);
            float d = Bits.Half(b, 0);
            var y = dst.Slice(i * BlockSize, BlockSize);
            for (int j = 0; j < BlockSize; j++) y[j] = (sbyte)b[2 + j] * d;
        }
    }

    /// <summary>
    /// As ggml's quantize_row_q8_0_ref: d = amax / 127, q = roundf(x / d) (half away from zero). The SIMD variants
    /// reproduce exactly this, so every kernel sees the same activation bytes.
    /// </summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = Bits.Blocks(src.Length, BlockSize, BytesPerBlock, dst.Length, "Q8_0");
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * BlockSize, BlockSize);
            var b = dst.Slice(i * BytesPerBlock, BytesPerBlock);
            float amax = 0;
            for (int j = 0; j < BlockSize; j++) amax = MathF.Max(amax, MathF.Abs(x[j]));
            float d = amax / 127;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Bits.WriteHalf(b, 0, d);
            for (int j = 0; j < BlockSize; j++) b[2 + j] = (byte)(sbyte)MathF.Round(x[j] * id, MidpointRounding.AwayFromZero);
        }
    }

    /// <summary>As ggml_vec_dot_q8_0_q8_0_generic.</summary>
    public static float DotReference(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, BlockSize, BytesPerBlock, weight.Length, "Q8_0");
        Bits.Blocks(n, BlockSize, BytesPerBlock, activation.Length, "Q8_0");
        float sum = 0;
        for (int i = 0; i < nb; i++)
        {
            var x = weight.Slice(i * BytesPerBlock, BytesPerBlock);
            var y = activation.Slice(i * BytesPerBlock, BytesPerBlock);
            int s = 0;
            for (int j = 0; j < BlockSize; j++) s += (sbyte)x[2 + j] * (sbyte)y[2 + j];
            sum += s * (Bits.Half(x, 0) * Bits.Half(y, 0));
        }
        return sum;
    }
}
