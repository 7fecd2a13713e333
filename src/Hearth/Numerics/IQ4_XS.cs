namespace Hearth.Numerics;

/// <summary>
/// IQ4_XS (ggml-common.h <c>block_iq4_xs</c>, 136 bytes per 256 values): fp16 d, 16 bits of high scale bits
/// (2 per sub-block), 4 bytes of low scale nibbles, 128 bytes of 4-bit level indices (per 32 values: 16 bytes, low
/// nibbles first). Sub-block j has the 6-bit scale ls (low nibble of byte j/2 | 2 bits j of scales_h) and
/// value = d·(ls − 32)·level. Pairs with Q8_K.
/// </summary>
internal static class IQ4_XS
{
    public const int BlockSize = KQuantMath.QK_K;
    public const int BytesPerBlock = 136;
    private const int ScalesHOffset = 2;
    private const int ScalesLOffset = 4;
    private const int QsOffset = 8;

    /// <summary>The signed scale (ls − 32) of sub-block <paramref name="ib"/>.</summary>
    public static int Scale(ReadOnlySpan<byte> b, int ib) =>
        (((b[ScalesLOffset + ib / 2] >> (4 * (ib % 2))) & 0xF) | (((Bits.U16(b, ScalesHOffset) >> (2 * ib)) & 3) << 4)) - 32;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = Bits.Blocks(dst.Length, BlockSize, BytesPerBlock, src.Length, "IQ4_XS");
        var v = Iq4Levels.Values;
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BytesPerBlock, BytesPerBlock);
            float d = Bits.Half(b, 0);
            for (int ib = 0; ib < 8; ib++)
            {
                float dl = d * Scale(b, ib);
                var y = dst.Slice(i * BlockSize + 32 * ib, 32);
                var q = b.Slice(QsOffset + 16 * ib, 16);
                for (int j = 0; j < 16; j++)
                {
                    y[j] = dl * v[q[j] & 0xF];
                    y[j + 16] = dl * v[q[j] >> 4];
                }
            }
        }
    }

    /// <summary>As ggml's quantize_iq4_xs without an importance matrix (see <see cref="Iq4Quantizer"/>).</summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = Bits.Blocks(src.Length, BlockSize, BytesPerBlock, dst.Length, "IQ4_XS");
        Span<byte> levels = stackalloc byte[BlockSize];
        Span<int> scales = stackalloc int[8];
        for (int i = 0; i < nb; i++)
        {
            var b = dst.Slice(i * BytesPerBlock, BytesPerBlock);
            b.Clear();
            ushort d = Iq4Quantizer.QuantizeSuperBlock(src.Slice(i * BlockSize, BlockSize), levels, scales);
            Bits.WriteU16(b, 0, d);
            int h = 0;
            for (int ib = 0; ib < 8; ib++)
            {
                b[ScalesLOffset + ib / 2] |= (byte)((scales[ib] & 0xF) << (4 * (ib % 2)));
                h |= (scales[ib] >> 4) << (2 * ib);
            }
            Bits.WriteU16(b, ScalesHOffset, (ushort)h);
            for (int ib = 0; ib < 8; ib++)
            {
                for (int j = 0; j < 16; j++) b[QsOffset + 16 * ib + j] = (byte)(levels[32 * ib + j] | (levels[32 * ib + 16 + j] << 4));
            }
        }
    }

    /// <summary>As ggml_vec_dot_iq4_xs_q8_K_generic: per sub-block of 32 an integer sum times d_w·d_x·(ls − 32).</summary>
    public static float DotReference(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, BlockSize, BytesPerBlock, weight.Length, "IQ4_XS");
        Bits.Blocks(n, Q8_K.BlockSize, Q8_K.BytesPerBlock, activation.Length, "Q8_K");
        var v = Iq4Levels.Values;
        float sumf = 0;
        for (int i = 0; i < nb; i++)
        {
            var x = weight.Slice(i * BytesPerBlock, BytesPerBlock);
            var y = activation.Slice(i * Q8_K.BytesPerBlock, Q8_K.BytesPerBlock);
            float d4d8 = Bits.Half(x, 0) * Bits.F32(y, 0);
            for (int ib = 0; ib < 8; ib++)
            {
                float dl = d4d8 * Scale(x, ib);
                var q = x.Slice(QsOffset + 16 * ib, 16);
                var q8 = y.Slice(Q8_K.QsOffset + 32 * ib, 32);
                int s1 = 0, s2 = 0;
                for (int j = 0; j < 16; j++)
                {
                    s1 += (sbyte)q8[j] * v[q[j] & 0xF];
                    s2 += (sbyte)q8[j + 16] * v[q[j] >> 4];
                }
                sumf += dl * (s1 + s2);
            }
        }
        return sumf;
    }
}
