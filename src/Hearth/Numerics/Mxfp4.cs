namespace Hearth.Numerics;

/// <summary>
/// MXFP4 (OCP Microscaling v1.0; ggml-common.h <c>block_mxfp4</c>, 17 bytes per 32 values): one E8M0 exponent byte e,
/// then 16 bytes of 4-bit E2M1 codes; byte j holds value j in its low nibble and value j+16 in its high nibble.
/// ggml stores the E2M1 values doubled as integers (0, 1, 2, 3, 4, 6, 8, 12 and their negatives), so a value is
/// <see cref="Values"/>[code] · 2^(e−128) — half the E8M0 scale 2^(e−127). gpt-oss ships its experts in this format.
/// </summary>
internal static class Mxfp4
{
    public const int BlockSize = 32;
    public const int BytesPerBlock = 17;

    /// <summary>E2M1 codes as doubled integers (ggml's kvalues_mxfp4): bit 3 is the sign, bits 0..2 the magnitude.</summary>
    public static ReadOnlySpan<sbyte> Values => [0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12];

    /// <summary>2^(e−128) for every E8M0 byte e (ggml's GGML_E8M0_TO_FP32_HALF): subnormal for e &lt; 2; e = 255 is not NaN.</summary>
    private static readonly float[] HalfScales = BuildHalfScales();

    private static float[] BuildHalfScales()
    {
        var t = new float[256];
        // e = 0, 1: 2^-128 and 2^-127 are subnormal floats (mantissa bit 21 or 22); above, exponent field e − 1.
        for (int e = 0; e < 256; e++) t[e] = BitConverter.UInt32BitsToSingle(e < 2 ? 0x00200000u << e : (uint)(e - 1) << 23);
        return t;
    }

    /// <summary>The float the values of a block with exponent byte <paramref name="e"/> are multiplied by.</summary>
    public static float HalfScale(byte e) => HalfScales[e];

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = Bits.Blocks(dst.Length, BlockSize, BytesPerBlock, src.Length, "MXFP4");
        var values = Values;
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BytesPerBlock, BytesPerBlock);
            float d = HalfScales[b[0]];
            var y = dst.Slice(i * BlockSize, BlockSize);
            for (int j = 0; j < 16; j++)
            {
                y[j] = values[b[1 + j] & 0x0F] * d;
                y[j + 16] = values[b[1 + j] >> 4] * d;
            }
        }
    }

    /// <summary>
    /// As ggml's quantize_row_mxfp4_ref: e = floor(log2(amax)) − 2 + 127 (so amax lands in the top code's range, 4..8
    /// times the half scale; 0 for an all-zero block), then each value takes the first code of least |v·d − x|.
    /// </summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = Bits.Blocks(src.Length, BlockSize, BytesPerBlock, dst.Length, "MXFP4");
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * BlockSize, BlockSize);
            var b = dst.Slice(i * BytesPerBlock, BytesPerBlock);
            float amax = 0;
            for (int j = 0; j < BlockSize; j++)
            {
                if (amax < MathF.Abs(x[j])) amax = MathF.Abs(x[j]);
            }
            byte e = amax > 0 ? ExponentOf(amax) : (byte)0;
            float d = HalfScales[e];
            b[0] = e;
            for (int j = 0; j < 16; j++) b[1 + j] = (byte)(BestCode(x[j], d) | (BestCode(x[j + 16], d) << 4));
        }
    }

    /// <summary>
    /// (uint8)(floorf(log2f(amax)) − 2 + 127). log2 is taken in double and rounded to float, a correctly rounded log2f:
    /// that rounding decides the exponent of a block whose amax lies just below a power of two, and it agrees with
    /// glibc's log2f (as ggml calls it) at and next to every power of two (Mxfp4Tests). Out-of-range results wrap as C's
    /// float → int → uint8 conversion does.
    /// </summary>
    private static byte ExponentOf(float amax) => (byte)(int)(MathF.Floor((float)Math.Log2(amax)) - 2 + 127);

    // The first code whose value is nearest x (ties keep the lower code, as ggml's strict comparison does).
    private static int BestCode(float x, float d)
    {
        var values = Values;
        int best = 0;
        float bestErr = MathF.Abs(values[0] * d - x);
        for (int i = 1; i < 16; i++)
        {
            float err = MathF.Abs(values[i] * d - x);
            if (err < bestErr)
            {
                best = i;
                bestErr = err;
            }
        }
        return best;
    }

    /// <summary>As ggml_vec_dot_mxfp4_q8_0_generic: per block (Σ code value · q) · (d_y · half scale of e).</summary>
    public static float DotReference(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, BlockSize, BytesPerBlock, weight.Length, "MXFP4");
        Bits.Blocks(n, Q8_0.BlockSize, Q8_0.BytesPerBlock, activation.Length, "Q8_0");
        var values = Values;
        float sum = 0;
        for (int i = 0; i < nb; i++)
        {
            var x = weight.Slice(i * BytesPerBlock, BytesPerBlock);
            var y = activation.Slice(i * Q8_0.BytesPerBlock, Q8_0.BytesPerBlock);
            float d = Bits.Half(y, 0) * HalfScales[x[0]];
            int s0 = 0, s1 = 0;
            for (int j = 0; j < 16; j++)
            {
                s0 += (sbyte)y[2 + j] * values[x[1 + j] & 0x0F];
                s1 += (sbyte)y[2 + j + 16] * values[x[1 + j] >> 4];
            }
            sum += d * (s0 + s1);
        }
        return sum;
    }
}
