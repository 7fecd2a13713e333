namespace Hearth.Numerics;

/// <summary>
/// IQ4_NL (ggml-common.h <c>block_iq4_nl</c>, 18 bytes per 32 values): fp16 d, 16 bytes of 4-bit indices into the
/// 16 non-linear levels (values 0..15 in the low nibbles, 16..31 in the high). value = d·level. Pairs with Q8_0.
/// </summary>
internal static class IQ4_NL
{
    public const int BlockSize = 32;
    public const int BytesPerBlock = 18;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = Bits.Blocks(dst.Length, BlockSize, BytesPerBlock, src.Length, "IQ4_NL");
        var v = Iq4Levels.Values;
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BytesPerBlock, BytesPerBlock);
            float d = Bits.Half(b, 0);
            var y = dst.Slice(i * BlockSize, BlockSize);
            for (int j = 0; j < 16; j++)
            {
                y[j] = d * v[b[2 + j] & 0xF];
                y[j + 16] = d * v[b[2 + j] >> 4];
            }
        }
    }

    /// <summary>As ggml's quantize_iq4_nl without an importance matrix (see <see cref="Iq4Quantizer"/>).</summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = Bits.Blocks(src.Length, BlockSize, BytesPerBlock, dst.Length, "IQ4_NL");
        Span<byte> levels = stackalloc byte[32];
        Span<int> unused = stackalloc int[1];
        for (int i = 0; i < nb; i++)
        {
            var b = dst.Slice(i * BytesPerBlock, BytesPerBlock);
            ushort d = Iq4Quantizer.QuantizeSuperBlock(src.Slice(i * BlockSize, BlockSize), levels, unused);
            Bits.WriteU16(b, 0, d);
            for (int j = 0; j < 16; j++) b[2 + j] = (byte)(levels[j] | (levels[16 + j] << 4));
        }
    }

    /// <summary>As ggml_vec_dot_iq4_nl_q8_0_generic: integer sum per block, times d_w·d_x.</summary>
    public static float DotReference(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, BlockSize, BytesPerBlock, weight.Length, "IQ4_NL");
        Bits.Blocks(n, Q8_0.BlockSize, Q8_0.BytesPerBlock, activation.Length, "Q8_0");
        var v = Iq4Levels.Values;
        float sumf = 0;
        for (int i = 0; i < nb; i++)
        {
            var x = weight.Slice(i * BytesPerBlock, BytesPerBlock);
            var y = activation.Slice(i * Q8_0.BytesPerBlock, Q8_0.BytesPerBlock);
            float d = Bits.Half(y, 0) * Bits.Half(x, 0);
            int s1 = 0, s2 = 0;
            for (int j = 0; j < 16; j++)
            {
                s1 += (sbyte)y[2 + j] * v[x[2 + j] & 0xF];
                s2 += (sbyte)y[18 + j] * v[x[2 + j] >> 4];
            }
            sumf += d * (s1 + s2);
        }
        return sumf;
    }
}
