namespace Hearth.Numerics;

/// <summary>
/// Q5_0 (ggml-common.h <c>block_q5_0</c>, 22 bytes per 32 values): fp16 scale d, 32-bit qh holding the fifth bit of
/// value j at bit j, then 16 bytes of low nibbles laid out as in Q4_0; value = (q - 16) * d.
/// </summary>
internal static class Q5_0
{
    public const int BlockSize = 32;
    public const int BytesPerBlock = 22;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = Bits.Blocks(dst.Length, BlockSize, BytesPerBlock, src.Length, "Q5_0");
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BytesPerBlock, BytesPerBlock);
            float d = Bits.Half(b, 0);
            uint qh = Bits.U32(b, 2);
            var y = dst.Slice(i * BlockSize, BlockSize);
            for (int j = 0; j < 16; j++)
            {
                int h0 = (int)((qh >> j) << 4) & 0x10;
                int h1 = (int)(qh >> (j + 12)) & 0x10;
                y[j] = (((b[6 + j] & 0x0F) | h0) - 16) * d;
                y[j + 16] = (((b[6 + j] >> 4) | h1) - 16) * d;
            }
        }
    }

    /// <summary>As ggml's quantize_row_q5_0_ref: d = (signed value of largest magnitude) / -16.</summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = Bits.Blocks(src.Length, BlockSize, BytesPerBlock, dst.Length, "Q5_0");
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * BlockSize, BlockSize);
            var b = dst.Slice(i * BytesPerBlock, BytesPerBlock);
            float amax = 0, max = 0;
            for (int j = 0; j < BlockSize; j++)
            {
                if (amax < MathF.Abs(x[j])) { amax = MathF.Abs(x[j]); max = x[j]; }
            }
            float d = max / -16;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Bits.WriteHalf(b, 0, d);
            uint qh = 0;
            for (int j = 0; j < 16; j++)
            {
                int q0 = Math.Min(31, (int)(sbyte)(int)(x[j] * id + 16.5f));
                int q1 = Math.Min(31, (int)(sbyte)(int)(x[j + 16] * id + 16.5f));
                b[6 + j] = (byte)((q0 & 0x0F) | ((q1 & 0x0F) << 4));
                qh |= (uint)((q0 & 0x10) >> 4) << j;
                qh |= (uint)((q1 & 0x10) >> 4) << (j + 16);
            }
            Bits.WriteU32(b, 2, qh);
        }
    }

    /// <summary>As ggml_vec_dot_q5_0_q8_0_generic.</summary>
    public static float DotReference(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, BlockSize, BytesPerBlock, weight.Length, "Q5_0");
        Bits.Blocks(n, Q8_0.BlockSize, Q8_0.BytesPerBlock, activation.Length, "Q8_0");
        float sum = 0;
        for (int i = 0; i < nb; i++)
        {
            var x = weight.Slice(i * BytesPerBlock, BytesPerBlock);
            var y = activation.Slice(i * Q8_0.BytesPerBlock, Q8_0.BytesPerBlock);
            uint qh = Bits.U32(x, 2);
            int s0 = 0, s1 = 0;
            for (int j = 0; j < 16; j++)
            {
                int h0 = (int)((qh >> j) << 4) & 0x10;
                int h1 = (int)(qh >> (j + 12)) & 0x10;
                s0 += (((x[6 + j] & 0x0F) | h0) - 16) * (sbyte)y[2 + j];
                s1 += (((x[6 + j] >> 4) | h1) - 16) * (sbyte)y[2 + j + 16];
            }
            sum += Bits.Half(x, 0) * Bits.Half(y, 0) * (s0 + s1);
        }
        return sum;
    }
}
