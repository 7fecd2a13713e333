namespace Hearth.Numerics;

/// <summary>
/// Q4_1 (ggml-common.h <c>block_q4_1</c>, 20 bytes per 32 values): fp16 scale d, fp16 minimum m, 16 bytes of
/// 4-bit quants laid out as in Q4_0; value = q * d + m.
/// </summary>
internal static class Q4_1
{
    public const int BlockSize = 32;
    public const int BytesPerBlock = 20;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = Bits.Blocks(dst.Length, BlockSize, BytesPerBlock, src.Length, "Q4_1");
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BytesPerBlock, BytesPerBlock);
            float d = Bits.Half(b, 0), m = Bits.Half(b, 2);
            var y = dst.Slice(i * BlockSize, BlockSize);
            for (int j = 0; j < 16; j++)
            {
                y[j] = (b[4 + j] & 0x0F) * d + m;
                y[j + 16] = (b[4 + j] >> 4) * d + m;
            }
        }
    }

    /// <summary>As ggml's quantize_row_q4_1_ref: d = (max - min) / 15, m = min.</summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = Bits.Blocks(src.Length, BlockSize, BytesPerBlock, dst.Length, "Q4_1");
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * BlockSize, BlockSize);
            var b = dst.Slice(i * BytesPerBlock, BytesPerBlock);
            float min = float.MaxValue, max = -float.MaxValue;
            for (int j = 0; j < BlockSize; j++)
            {
                if (x[j] < min) min = x[j];
                if (x[j] > max) max = x[j];
            }
            float d = (max - min) / 15;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Bits.WriteHalf(b, 0, d);
            Bits.WriteHalf(b, 2, min);
            for (int j = 0; j < 16; j++)
            {
                int q0 = Math.Min(15, (int)(sbyte)(int)((x[j] - min) * id + 0.5f));
                int q1 = Math.Min(15, (int)(sbyte)(int)((x[j + 16] - min) * id + 0.5f));
                b[4 + j] = (byte)(q0 | (q1 << 4));
            }
        }
    }

    /// <summary>As ggml_vec_dot_q4_1_q8_1_generic: d·d'·Σq·q' + m·s' per block (s' = d'·Σq' stored in the Q8_1 block).</summary>
    public static float DotReference(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, BlockSize, BytesPerBlock, weight.Length, "Q4_1");
        Bits.Blocks(n, Q8_1.BlockSize, Q8_1.BytesPerBlock, activation.Length, "Q8_1");
        float sum = 0;
        for (int i = 0; i < nb; i++)
        {
            var x = weight.Slice(i * BytesPerBlock, BytesPerBlock);
            var y = activation.Slice(i * Q8_1.BytesPerBlock, Q8_1.BytesPerBlock);
            int s0 = 0, s1 = 0;
            for (int j = 0; j < 16; j++)
            {
                s0 += (x[4 + j] & 0x0F) * (sbyte)y[4 + j];
                s1 += (x[4 + j] >> 4) * (sbyte)y[4 + j + 16];
            }
            sum += Bits.Half(x, 0) * Bits.Half(y, 0) * (s0 + s1) + Bits.Half(x, 2) * Bits.Half(y, 2);
        }
        return sum;
    }
}
