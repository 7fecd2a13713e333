using System.Runtime.Intrinsics;

namespace Hearth.Numerics;

/// <summary>
/// TQ2_0 (ggml-common.h <c>block_tq2_0</c>, 66 bytes per 256 values): 64 bytes of 2-bit codes, then fp16 d. Per 128
/// values: 32 bytes, code plane l (bits 2l..2l+1) holding values 32l .. 32l + 31; value = d·(code − 1), a ternary weight.
/// </summary>
internal static unsafe class TQ2_0
{
    public const int BlockSize = KQuantMath.QK_K;
    public const int BytesPerBlock = 66;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = Bits.Blocks(dst.Length, BlockSize, BytesPerBlock, src.Length, "TQ2_0");
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BytesPerBlock, BytesPerBlock);
            float d = Bits.Half(b, 64);
            var y = dst.Slice(i * BlockSize, BlockSize);
            int k = 0;
            for (int j = 0; j < 64; j += 32)
            {
                for (int l = 0; l < 4; l++)
                {
                    for (int m = 0; m < 32; m++) y[k++] = (float)(((b[j + m] >> (2 * l)) & 3) - 1) * d;
                }
            }
        }
    }

    /// <summary>As ggml's quantize_row_tq2_0_ref: d = max|x|, code = round(x/d) + 1.</summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = Bits.Blocks(src.Length, BlockSize, BytesPerBlock, dst.Length, "TQ2_0");
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * BlockSize, BlockSize);
            var b = dst.Slice(i * BytesPerBlock, BytesPerBlock);
            float amax = 0;
            for (int j = 0; j < BlockSize; j++) amax = MathF.Max(amax, MathF.Abs(x[j]));
            float d = amax, id = d != 0 ? 1 / d : 0;
            Bits.WriteHalf(b, 64, d);
            for (int j = 0; j < 64; j += 32)
            {
                for (int m = 0; m < 32; m++)
                {
                    int q = 0;
                    for (int l = 0; l < 4; l++) q += ((TQ1_0.RoundAway(x[4 * j + m + 32 * l] * id) + 1) & 3) << (2 * l);
                    b[j + m] = (byte)q;
                }
            }
        }
    }

    /// <summary>As ggml_vec_dot_tq2_0_q8_K_generic.</summary>
    public static float DotReference(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, BlockSize, BytesPerBlock, weight.Length, "TQ2_0");
        Bits.Blocks(n, Q8_K.BlockSize, Q8_K.BytesPerBlock, activation.Length, "Q8_K");
        float sumf = 0;
        for (int i = 0; i < nb; i++)
        {
            var x = weight.Slice(i * BytesPerBlock, BytesPerBlock);
            var y = activation.Slice(i * Q8_K.BytesPerBlock, Q8_K.BytesPerBlock);
            int sumi = 0;
            for (int j = 0; j < 64; j += 32)
            {
                for (int l = 0; l < 4; l++)
                {
                    for (int k = 0; k < 32; k++) sumi += (sbyte)y[Q8_K.QsOffset + 4 * j + 32 * l + k] * (((x[j + k] >> (2 * l)) & 3) - 1);
                }
            }
            sumf += sumi * (Bits.F32(y, 0) * Bits.Half(x, 64));
        }
        return sumf;
    }

    public static float Decode(byte* x, sbyte* q, short* s)
    {
        var mask = System.Runtime.Intrinsics.Vector128.Create((byte)3);
        var one = System.Runtime.Intrinsics.Vector128.Create((sbyte)1);
        for (int j = 0; j < 64; j += 16)
        {
            var v = System.Runtime.Intrinsics.Vector128.Load(x + j);
            // Bytes j..j+15 feed values 4·(j & ~31) + 32l + (j & 31) + 0..15.
            sbyte* dst = q + 4 * (j & ~31) + (j & 31);
            for (int l = 0; l < 4; l++)
            {
                var c = System.Runtime.Intrinsics.Vector128.ShiftRightLogical(v.AsUInt16(), 2 * l).AsByte() & mask;
                (c.AsSByte() - one).Store(dst + 32 * l);
            }
        }
        for (int g = 0; g < 16; g++) s[g] = 1;
        return Fp16.Lookup(*(ushort*)(x + 64));
    }
}
