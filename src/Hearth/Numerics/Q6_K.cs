namespace Hearth.Numerics;

/// <summary>
/// Q6_K (ggml-common.h <c>block_q6_K</c>, 210 bytes per 256 values): 128 bytes of low nibbles (ql), 64 bytes of
/// 2-bit high parts (qh), sixteen int8 scales (one per 16 values), fp16 d. Each 128 values use 64 ql bytes and 32 qh
/// bytes: value l + 32k (k = 0..3, l = 0..31) is the low (k &lt; 2) or high nibble of ql[l + 32(k % 2)] plus bits
/// 2k..2k+1 of qh[l] as bits 4..5. value = d·scale·(q - 32).
/// </summary>
internal static class Q6_K
{
    public const int BlockSize = KQuantMath.QK_K;
    public const int BytesPerBlock = 210;
    private const int QhOffset = 128;
    private const int ScalesOffset = 192;
    private const int DOffset = 208;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = Bits.Blocks(dst.Length, BlockSize, BytesPerBlock, src.Length, "Q6_K");
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BytesPerBlock, BytesPerBlock);
            float d = Bits.Half(b, DOffset);
            var y = dst.Slice(i * BlockSize, BlockSize);
            for (int half = 0; half < 2; half++)
            {
                var ql = b.Slice(64 * half, 64);
                var qh = b.Slice(QhOffset + 32 * half, 32);
                var sc = b.Slice(ScalesOffset + 8 * half, 8);
                var yh = y.Slice(128 * half, 128);
                for (int l = 0; l < 32; l++)
                {
                    int s = l / 16;
                    int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                    int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                    int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                    int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                    yh[l] = d * (sbyte)sc[s] * q1;
                    yh[l + 32] = d * (sbyte)sc[s + 2] * q2;
                    yh[l + 64] = d * (sbyte)sc[s + 4] * q3;
                    yh[l + 96] = d * (sbyte)sc[s + 6] * q4;
                }
            }
        }
    }

    /// <summary>As ggml's quantize_row_q6_K_ref (make_qx_quants per 16 values, 8-bit scales relative to -128/max).</summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = Bits.Blocks(src.Length, BlockSize, BytesPerBlock, dst.Length, "Q6_K");
        Span<sbyte> levels = stackalloc sbyte[BlockSize];
        Span<float> scales = stackalloc float[16];
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * BlockSize, BlockSize);
            var b = dst.Slice(i * BytesPerBlock, BytesPerBlock);
            b.Clear();
            float maxScale = 0, maxAbsScale = 0;
            for (int ib = 0; ib < 16; ib++)
            {
                float scale = KQuantMath.MakeQxQuants(16, 32, x.Slice(16 * ib, 16), levels.Slice(16 * ib, 16));
                scales[ib] = scale;
                if (MathF.Abs(scale) > maxAbsScale) { maxAbsScale = MathF.Abs(scale); maxScale = scale; }
            }
            if (maxAbsScale < 1e-15f) continue; // an all-zero block: every byte zero, d = 0
            float iscale = -128f / maxScale;
            Bits.WriteHalf(b, DOffset, 1 / iscale);
            for (int ib = 0; ib < 16; ib++) b[ScalesOffset + ib] = (byte)(sbyte)Math.Min(127, KQuantMath.NearestInt(iscale * scales[ib]));
            float dAll = Bits.Half(b, DOffset);
            for (int j = 0; j < 16; j++)
            {
                float d = dAll * (sbyte)b[ScalesOffset + j];
                if (d == 0) continue;
                for (int ii = 0; ii < 16; ii++)
                    levels[16 * j + ii] = (sbyte)(Math.Clamp(KQuantMath.NearestInt(x[16 * j + ii] / d), -32, 31) + 32);
            }
            for (int half = 0; half < 2; half++)
            {
                var lv = levels.Slice(128 * half, 128);
                for (int l = 0; l < 32; l++)
                {
                    int q1 = lv[l], q2 = lv[l + 32], q3 = lv[l + 64], q4 = lv[l + 96];
                    b[64 * half + l] = (byte)((q1 & 0xF) | ((q3 & 0xF) << 4));
                    b[64 * half + l + 32] = (byte)((q2 & 0xF) | ((q4 & 0xF) << 4));
                    b[QhOffset + 32 * half + l] = (byte)((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6));
                }
            }
        }
    }

    /// <summary>As ggml_vec_dot_q6_K_q8_K_generic: integer sums per 16 values times the int8 scale, in eight float lanes.</summary>
    public static float DotReference(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, BlockSize, BytesPerBlock, weight.Length, "Q6_K");
        Bits.Blocks(n, Q8_K.BlockSize, Q8_K.BytesPerBlock, activation.Length, "Q8_K");
        Span<float> sums = stackalloc float[8];
        Span<int> aux32 = stackalloc int[8];
        Span<sbyte> a = stackalloc sbyte[BlockSize];
        sums.Clear();
        for (int i = 0; i < nb; i++)
        {
            var x = weight.Slice(i * BytesPerBlock, BytesPerBlock);
            var y = activation.Slice(i * Q8_K.BytesPerBlock, Q8_K.BytesPerBlock);
            for (int half = 0; half < 2; half++)
            {
                var ql = x.Slice(64 * half, 64);
                var qh = x.Slice(QhOffset + 32 * half, 32);
                var ah = a.Slice(128 * half, 128);
                for (int l = 0; l < 32; l++)
                {
                    ah[l] = (sbyte)(((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32);
                    ah[l + 32] = (sbyte)(((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32);
                    ah[l + 64] = (sbyte)(((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
                    ah[l + 96] = (sbyte)(((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
                }
            }
            aux32.Clear();
            for (int j = 0; j < 16; j++)
            {
                int scale = (sbyte)x[ScalesOffset + j];
                for (int l = 0; l < 16; l++) aux32[l & 7] += scale * (a[16 * j + l] * (sbyte)y[Q8_K.QsOffset + 16 * j + l]);
            }
            float d = Bits.Half(x, DOffset) * Bits.F32(y, 0);
            for (int l = 0; l < 8; l++) sums[l] += d * aux32[l];
        }
        float sumf = 0;
        for (int l = 0; l < 8; l++) sumf += sums[l];
        return sumf;
    }
}
