namespace Hearth.Numerics;

/// <summary>
/// TQ1_0 (ggml-common.h <c>block_tq1_0</c>, 54 bytes per 256 values): 48 bytes of 5 trits each, 4 bytes of 4 trits
/// each, then fp16 d. A byte holds its trits as a base-3 fraction scaled to 0..255 (ceil(t·256/243)), so trit n is the
/// integer part of 3·(byte·3ⁿ mod 256)/256. Values 0..159 come from bytes 0..31 (trit n of byte m → 32n + m), 160..239
/// from bytes 32..47 (→ 160 + 16n + m), 240..255 from the 4 last (→ 240 + 4n + m); value = d·(trit − 1).
/// </summary>
internal static unsafe class TQ1_0
{
    public const int BlockSize = KQuantMath.QK_K;
    public const int BytesPerBlock = 54;
    private static ReadOnlySpan<byte> Pow3 => [1, 3, 9, 27, 81, 243];

    /// <summary>C's lroundf: nearest integer, halves away from zero.</summary>
    public static int RoundAway(float v) => (int)MathF.Round(v, MidpointRounding.AwayFromZero);

    private static int Trit(byte b, int n) => (((byte)(b * Pow3[n])) * 3) >> 8;

    /// <summary>Element index of trit <paramref name="n"/> of byte <paramref name="m"/> (0..51).</summary>
    private static int Index(int m, int n) => m < 32 ? 32 * n + m : m < 48 ? 160 + 16 * n + (m - 32) : 240 + 4 * n + (m - 48);

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = Bits.Blocks(dst.Length, BlockSize, BytesPerBlock, src.Length, "TQ1_0");
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BytesPerBlock, BytesPerBlock);
            float d = Bits.Half(b, 52);
            var y = dst.Slice(i * BlockSize, BlockSize);
            for (int m = 0; m < 52; m++)
            {
                for (int n = 0; n < (m < 48 ? 5 : 4); n++) y[Index(m, n)] = (float)(Trit(b[m], n) - 1) * d;
            }
        }
    }

    /// <summary>As ggml's quantize_row_tq1_0_ref: d = max|x|, trits round(x/d) + 1 packed base 3 and scaled up.</summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = Bits.Blocks(src.Length, BlockSize, BytesPerBlock, dst.Length, "TQ1_0");
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * BlockSize, BlockSize);
            var b = dst.Slice(i * BytesPerBlock, BytesPerBlock);
            float amax = 0;
            for (int j = 0; j < BlockSize; j++) amax = MathF.Max(amax, MathF.Abs(x[j]));
            float d = amax, id = d != 0 ? 1 / d : 0;
            Bits.WriteHalf(b, 52, d);
            for (int m = 0; m < 52; m++)
            {
                int count = m < 48 ? 5 : 4;
                int q = 0;
                for (int n = 0; n < count; n++) q = (byte)(q * 3 + RoundAway(x[Index(m, n)] * id) + 1);
                if (count == 4) q = (byte)(q * 3);
                b[m] = (byte)((q * 256 + 242) / 243);
            }
        }
    }

    /// <summary>As ggml_vec_dot_tq1_0_q8_K_generic.</summary>
    public static float DotReference(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, BlockSize, BytesPerBlock, weight.Length, "TQ1_0");
        Bits.Blocks(n, Q8_K.BlockSize, Q8_K.BytesPerBlock, activation.Length, "Q8_K");
        float sumf = 0;
        for (int i = 0; i < nb; i++)
        {
            var x = weight.Slice(i * BytesPerBlock, BytesPerBlock);
            var y = activation.Slice(i * Q8_K.BytesPerBlock, Q8_K.BytesPerBlock);
            int sum = 0;
            for (int m = 0; m < 52; m++)
            {
                for (int t = 0; t < (m < 48 ? 5 : 4); t++) sum += (Trit(x[m], t) - 1) * (sbyte)y[Q8_K.QsOffset + Index(m, t)];
            }
            sumf += sum * (Bits.Half(x, 52) * Bits.F32(y, 0));
        }
        return sumf;
    }

    public static float Decode(byte* x, sbyte* q, short* s)
    {
        for (int m = 0; m < 52; m++)
        {
            byte b = x[m];
            for (int n = 0; n < (m < 48 ? 5 : 4); n++) q[Index(m, n)] = (sbyte)(Trit(b, n) - 1);
        }
        for (int g = 0; g < 16; g++) s[g] = 1;
        return Fp16.Lookup(*(ushort*)(x + 52));
    }
}
