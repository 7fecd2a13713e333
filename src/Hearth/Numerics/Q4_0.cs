namespace Hearth.Numerics;

/// <summary>
/// Q4_0 (ggml-common.h <c>block_q4_0</c>, 18 bytes per 32 values): fp16 scale d, then 16 bytes of 4-bit quants;
/// byte j holds value j in its low nibble and value j+16 in its high nibble; value = (q - 8) * d.
/// </summary>
internal static class Q4_0
{
    public const int BlockSize = 32;
    public const int BytesPerBlock = 18;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = Bits.Blocks(dst.Length, BlockSize, BytesPerBlock, src.Length, "Q4_0");
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BytesPerBlock, BytesPerBlock);
            float d = Bits.Half(b, 0);
            var y = dst.Slice(i * BlockSize, BlockSize);
            for (int j = 0; j < 16; j++)
            {
                y[j] = ((b[2 + j] & 0x0F) - 8) * d;
                y[j + 16] = ((b[2 + j] >> 4) - 8) * d;
            }
        }
    }

    /// <summary>As ggml's quantize_row_q4_0_ref: d = (signed value of largest magnitude) / -8.</summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = Bits.Blocks(src.Length, BlockSize, BytesPerBlock, dst.Length, "Q4_0");
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * BlockSize, BlockSize);
            var b = dst.Slice(i * BytesPerBlock, BytesPerBlock);
            float amax = 0, max = 0;
            for (int j = 0; j < BlockSize; j++)
            {
                if (amax < MathF.Abs(x[j])) { amax = MathF.Abs(x[j]); max = x[j]; }
            }
            float d = max / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Bits.WriteHalf(b, 0, d);
            for (int j = 0; j < 16; j++)
            {
                int q0 = Math.Min(15, (int)(sbyte)(int)(x[j] * id + 8.5f));
                int q1 = Math.Min(15, (int)(sbyte)(int)(x[j + 16] * id + 8.5f));
                b[2 + j] = (byte)(q0 | (q1 << 4));
            }
        }
    }

    /// <summary>As ggml_vec_dot_q4_0_q8_0_generic: integer sum per block, then scaled by both fp16 scales.</summary>
    public static float DotReference(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, BlockSize, BytesPerBlock, weight.Length, "Q4_0");
        Bits.Blocks(n, Q8_0.BlockSize, Q8_0.BytesPerBlock, activation.Length, "Q8_0");
        float sum = 0;
        for (int i = 0; i < nb; i++)
        {
            var x = weight.Slice(i * BytesPerBlock, BytesPerBlock);
            var y = activation.Slice(i * Q8_0.BytesPerBlock, Q8_0.BytesPerBlock);
            int s0 = 0, s1 = 0;
            for (int j = 0; j < 16; j++)
            {
                s0 += ((x[2 + j] & 0x0F) - 8) * (sbyte)y[2 + j];
                s1 += ((x[2 + j] >> 4) - 8) * (sbyte)y[2 + j + 16];
            }
            sum += (s0 + s1) * Bits.Half(x, 0) * Bits.Half(y, 0);
        }
        return sum;
    }
}
