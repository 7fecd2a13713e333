using Hearth.Numerics;

namespace Hearth.Tests.Numerics;

/// <summary>
/// MXFP4 against its definition and against ggml: every (code, exponent) pair dequantized as the OCP MX spec defines
/// it, and ggml's own dequantize_row_mxfp4 / quantize_row_mxfp4_ref (libggml-base, <see cref="GgmlBaseLibrary"/>) on
/// the same inputs, bit for bit and byte for byte.
/// </summary>
public unsafe class Mxfp4Tests
{
    /// <summary>
    /// E2M1 magnitudes (bits 0..2: 0, 0.5, 1, 1.5, 2, 3, 4, 6), sign in bit 3, times the E8M0 scale 2^(e−127), for all
    /// 16 codes and all 256 exponent bytes (the NaN byte 0xFF included: ggml treats it as 2^128, which overflows to
    /// infinity for nonzero codes). Code 8 is the spec's −0; ggml's table gives +0, so +0 is expected.
    /// </summary>
    [Fact]
    public void Every_code_and_exponent_dequantizes_as_the_format_defines()
    {
        double[] magnitude = [0, 0.5, 1, 1.5, 2, 3, 4, 6];
        var block = new byte[Mxfp4.BytesPerBlock];
        var y = new float[Mxfp4.BlockSize];
        for (int e = 0; e < 256; e++)
        {
            block[0] = (byte)e;
            // Byte j: code j % 16 in the low nibble (value j), code 15 − j % 16 in the high nibble (value j + 16).
            for (int j = 0; j < 16; j++) block[1 + j] = (byte)(j | ((15 - j) << 4));
            Mxfp4.Dequantize(block, y);
            for (int i = 0; i < 32; i++)
            {
                int code = i < 16 ? i : 15 - (i - 16);
                double v = Math.ScaleB(magnitude[code & 7], e - 127) * ((code & 8) != 0 && (code & 7) != 0 ? -1 : 1);
                float want = (float)v;
                Assert.True(BitConverter.SingleToUInt32Bits(want) == BitConverter.SingleToUInt32Bits(y[i]),
                    $"e={e} code={code}: want {want:R}, got {y[i]:R}");
            }
        }
    }

    [Fact]
    public void Dequantize_reproduces_ggml_for_every_code_and_exponent()
    {
        var dequantize = GgmlBaseLibrary.Row("dequantize_row_mxfp4");
        const int blocks = 256;
        var q = new byte[blocks * Mxfp4.BytesPerBlock];
        var rng = new Random(5);
        for (int b = 0; b < blocks; b++)
        {
            q[b * 17] = (byte)b;
            for (int j = 0; j < 16; j++) q[b * 17 + 1 + j] = (byte)(j | (rng.Next(16) << 4));
        }
        var expected = new float[blocks * 32];
        var actual = new float[blocks * 32];
        fixed (byte* pq = q)
        fixed (float* pe = expected)
        {
            dequantize(pq, pe, expected.Length);
        }
        Mxfp4.Dequantize(q, actual);
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.True(BitConverter.SingleToUInt32Bits(expected[i]) == BitConverter.SingleToUInt32Bits(actual[i]),
                $"value {i} (block {i / 32}): ggml {expected[i]:R}, Hearth {actual[i]:R}");
        }
    }

    /// <summary>
    /// Quantize against ggml's reference quantizer on rows whose largest magnitude sits at and next to every power of two
    /// from 2^-130 to 2^127 (where floor(log2) decides the exponent), on random rows of many scales, and on values half
    /// way between codes (where the first nearest code must win).
    /// </summary>
    [Fact]
    public void Quantize_reproduces_ggml_reference_quantizer_byte_for_byte()
    {
        var quantize = GgmlBaseLibrary.Row("quantize_row_mxfp4_ref");
        var rows = new List<float[]>();
        var rng = new Random(11);
        for (int k = -130; k <= 127; k++)
        {
            float p = MathF.ScaleB(1f, k);
            foreach (float amax in new[] { p, MathF.BitDecrement(p), MathF.BitIncrement(p), MathF.BitDecrement(MathF.BitDecrement(p)), p * 1.49f })
            {
                var row = new float[32];
                for (int i = 0; i < 32; i++) row[i] = (float)(rng.NextDouble() * 2 - 1) * amax;
                row[rng.Next(32)] = rng.Next(2) == 0 ? amax : -amax;
                rows.Add(row);
            }
        }
        for (int r = 0; r < 64; r++) rows.Add(QuantTestData.RandomRow(32 * (1 + r % 5), 300 + r));
        var ties = new float[32];
        for (int i = 0; i < 32; i++) ties[i] = (i % 16 - 8) * 0.25f + 0.125f;
        ties[0] = 7.5f;
        rows.Add(ties);
        rows.Add(new float[64]);
        foreach (var row in rows)
        {
            var expected = new byte[row.Length / 32 * Mxfp4.BytesPerBlock];
            var actual = new byte[expected.Length];
            fixed (float* px = row)
            fixed (byte* pe = expected)
            {
                quantize(px, pe, row.Length);
            }
            Mxfp4.Quantize(row, actual);
            Assert.True(expected.AsSpan().SequenceEqual(actual),
                $"row with max |x| {row.Max(MathF.Abs):R}: ggml {Convert.ToHexString(expected)}, Hearth {Convert.ToHexString(actual)}");
        }
    }

    [Fact]
    public void Dot_reference_equals_the_dequantized_product()
    {
        var traits = TensorTypes.Get(GgmlType.MXFP4);
        Assert.Equal(GgmlType.Q8_0, traits.VecDotType);
        for (int seed = 0; seed < 6; seed++)
        {
            int n = 32 * (1 + seed * 3);
            var w = QuantTestData.Quantize(GgmlType.MXFP4, QuantTestData.RandomRow(n, seed));
            var a = QuantTestData.Quantize(GgmlType.Q8_0, QuantTestData.RandomRow(n, seed + 50));
            var wd = QuantTestData.Dequantize(GgmlType.MXFP4, w, n);
            var ad = QuantTestData.Dequantize(GgmlType.Q8_0, a, n);
            double exact = 0, bound = 0;
            for (int i = 0; i < n; i++)
            {
                exact += (double)wd[i] * ad[i];
                bound += Math.Abs((double)wd[i] * ad[i]);
            }
            float got = traits.VecDotReference(n, w, a);
            Assert.True(Math.Abs(got - exact) <= (n / 32 + 2) * Math.Pow(2, -23) * bound + 1e-30, $"n={n}: {got:R} vs {exact:R}");
        }
    }
}
