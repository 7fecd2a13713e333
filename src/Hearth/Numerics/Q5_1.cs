namespace Hearth.Numerics;

/// <summary>
/// Q5_1 (ggml-common.h <c>block_q5_1</c>, 24 bytes per 32 values): fp16 scale d, fp16 minimum m, 32-bit qh of fifth
/// bits, 16 bytes of low nibbles laid out as in Q4_0; value = q * d + m.
/// </summary>
internal static class Q5_1
{
    public const int BlockSize = 32;
    public const int BytesPerBlock = 24;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = Bits.Blocks(dst.Length, BlockSize, BytesPerBlock, src.Length, "Q5_1");
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BytesPerBlock, BytesPerBlock);
            float d = Bits.Half(b, 0), m = Bits.Half(b, 2);
            uint qh = Bits.U32(b, 4);
            var y = dst.Slice(i * BlockSize, BlockSize);
            for (int j = 0; j < 16; j++)
            {
                int h0 = (int)((qh >> j) << 4) & 0x10;
                int h1 = (int)(qh >> (j + 12)) & 0x10;
                y[j] = ((b[8 + j] & 0x0F) | h0) * d + m;
                y[j + 16] = ((b[8 + j] >> 4) | h1) * d + m;
            }
        }
    }

    /// <summary>As ggml's quantize_row_q5_1_ref: d = (max - min) / 31, m = min.</summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = Bits.Blocks(src.Length, BlockSize, BytesPerBlock, dst.Length, "Q5_1");
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
            float d = (max - min) / 31;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Bits.WriteHalf(b, 0, d);
            Bits.WriteHalf(b, 2, min);
            uint qh = 0;
            for (int j = 0; j < 16; j++)
            {
                int q0 = (byte)(int)((x[j] - min) * id + 0.5f);
                int q1 = (byte)(int)((x[j + 16] - min) * id + 0.5f);
                b[8 + j] = (byte)((q0 & 0x0F) | ((q1 & 0x0F) << 4));
                qh |= (uint)((q0 & 0x10) >> 4) << j;
                qh |= (uint)((q1 & 0x10) >> 4) << (j + 16);
            }
            Bits.WriteU32(b, 4, qh);
        }
    }

    /// <summary>As ggml_vec_dot_q5_1_q8_1_generic.</summary>
    public static float DotReference(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, BlockSize, BytesPerBlock, weight.Length, "Q5_1");
        Bits.Blocks(n, Q8_1.BlockSize, Q8_1.BytesPerBlock, activation.Length, "Q8_1");
        float sum = 0;
        for (int i = 0; i < nb; i++)
        {
            var x = weight.Slice(i * BytesPerBlock, BytesPerBlock);
            var y = activation.Slice(i * Q8_1.BytesPerBlock, Q8_1.BytesPerBlock);
            uint qh = Bits.U32(x, 4);
            int s0 = 0, s1 = 0;
            for (int j = 0; j < 16; j++)
            {
                int h0 = (int)((qh >> j) << 4) & 0x10;
                int h1 = (int)(qh >> (j + 12)) & 0x10;
                s0 += ((x[8 + j] & 0x0F) | h0) * (sbyte)y[4 + j];
                s1 += ((x[8 + j] >> 4) | h1) * (sbyte)y[4 + j + 16];
            }
            sum += Bits.Half(x, 0) * Bits.Half(y, 0) * (s0 + s1) + Bits.Half(x, 2) * Bits.Half(y, 2);
        }
        return sum;
    }
}
