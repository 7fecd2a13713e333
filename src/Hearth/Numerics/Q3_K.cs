namespace Hearth.Numerics;

/// <summary>
/// Q3_K (ggml-common.h <c>block_q3_K</c>, 110 bytes per 256 values): 32 bytes hmask (the third bit of value v is bit
/// v/32 of hmask[v % 32]), 64 bytes of 2-bit low parts laid out as Q2_K, 12 bytes of sixteen 6-bit scales, fp16 d.
/// value = d·(scale - 32)·(low - (high bit set ? 0 : 4)).
/// </summary>
internal static class Q3_K
{
    public const int BlockSize = KQuantMath.QK_K;
    public const int BytesPerBlock = 110;
    private const int QsOffset = 32;
    private const int ScalesOffset = 96;
    private const int DOffset = 108;

    /// <summary>Scale j (0..15, 6 bits, not yet offset by -32): low nibble from byte j or j-8, two high bits from byte 8 + j%4.</summary>
    internal static int Scale(ReadOnlySpan<byte> scales, int j)
    {
        int lo = j < 8 ? scales[j] & 0xF : scales[j - 8] >> 4;
        return lo | (((scales[8 + j % 4] >> (2 * (j / 4))) & 3) << 4);
    }

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = Bits.Blocks(dst.Length, BlockSize, BytesPerBlock, src.Length, "Q3_K");
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BytesPerBlock, BytesPerBlock);
            float dAll = Bits.Half(b, DOffset);
            var scales = b.Slice(ScalesOffset, 12);
            var y = dst.Slice(i * BlockSize, BlockSize);
            for (int v = 0; v < BlockSize; v++)
            {
                float dl = dAll * (Scale(scales, v / 16) - 32);
                int q = (b[QsOffset + 32 * (v / 128) + v % 32] >> (2 * (v / 32 % 4))) & 3;
                int h = (b[v % 32] >> (v / 32)) & 1;
                y[v] = dl * (q - (h != 0 ? 0 : 4));
            }
        }
    }

    /// <summary>As ggml's quantize_row_q3_K_ref (make_q3_quants per 16 values, 6-bit scales relative to -32/max).</summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = Bits.Blocks(src.Length, BlockSize, BytesPerBlock, dst.Length, "Q3_K");
        Span<sbyte> levels = stackalloc sbyte[BlockSize];
        Span<byte> low = stackalloc byte[BlockSize];
        Span<float> scales = stackalloc float[16];
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * BlockSize, BlockSize);
            var b = dst.Slice(i * BytesPerBlock, BytesPerBlock);
            b.Clear();
            float maxScale = 0, amax = 0;
            for (int j = 0; j < 16; j++)
            {
                scales[j] = KQuantMath.MakeQ3Quants(16, 4, x.Slice(16 * j, 16), levels.Slice(16 * j, 16));
                float scale = MathF.Abs(scales[j]);
                if (scale > amax) { amax = scale; maxScale = scales[j]; }
            }
            var packed = b.Slice(ScalesOffset, 12);
            if (maxScale != 0)
            {
                float iscale = -32f / maxScale;
                for (int j = 0; j < 16; j++)
                {
                    int l = Math.Clamp((int)(sbyte)KQuantMath.NearestInt(iscale * scales[j]), -32, 31) + 32;
                    if (j < 8) packed[j] = (byte)(l & 0xF);
                    else packed[j - 8] |= (byte)((l & 0xF) << 4);
                    packed[j % 4 + 8] |= (byte)((l >> 4) << (2 * (j / 4)));
                }
                Bits.WriteHalf(b, DOffset, 1 / iscale);
            }
            float dAll = Bits.Half(b, DOffset);
            for (int j = 0; j < 16; j++)
            {
                float d = dAll * (Scale(packed, j) - 32);
                if (d == 0) continue;
                for (int ii = 0; ii < 16; ii++)
                    levels[16 * j + ii] = (sbyte)(Math.Clamp(KQuantMath.NearestInt(x[16 * j + ii] / d), -4, 3) + 4);
            }
            for (int v = 0; v < BlockSize; v++)
            {
                int l = levels[v];
                if (l > 3)
                {
                    b[v % 32] |= (byte)(1 << (v / 32));
                    l -= 4;
                }
                low[v] = (byte)l;
            }
            Q2_K.PackTwoBit(low, b.Slice(QsOffset, 64));
        }
    }

    /// <summary>As ggml_vec_dot_q3_K_q8_K_generic: integer sums per 16 values times (scale - 32), in eight float lanes.</summary>
    public static float DotReference(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, BlockSize, BytesPerBlock, weight.Length, "Q3_K");
        Bits.Blocks(n, Q8_K.BlockSize, Q8_K.BytesPerBlock, activation.Length, "Q8_K");
        Span<float> sums = stackalloc float[8];
        Span<int> aux32 = stackalloc int[8];
        sums.Clear();
        for (int i = 0; i < nb; i++)
        {
            var x = weight.Slice(i * BytesPerBlock, BytesPerBlock);
            var y = activation.Slice(i * Q8_K.BytesPerBlock, Q8_K.BytesPerBlock);
            var scales = x.Slice(ScalesOffset, 12);
            aux32.Clear();
            for (int j = 0; j < 16; j++)
            {
                int scale = Scale(scales, j) - 32;
                for (int l = 0; l < 16; l++)
                {
                    int v = 16 * j + l;
                    int q = (x[QsOffset + 32 * (v / 128) + v % 32] >> (2 * (v / 32 % 4))) & 3;
                    if (((x[v % 32] >> (v / 32)) & 1) == 0) q -= 4;
                    aux32[l & 7] += scale * (q * (sbyte)y[Q8_K.QsOffset + v]);
                }
            }
            float d = Bits.Half(x, DOffset) * Bits.F32(y, 0);
            for (int l = 0; l < 8; l++) sums[l] += d * aux32[l];
        }
        float sumf = 0;
        for (int l = 0; l < 8; l++) sumf += sums[l];
        return sumf;
    }
}
