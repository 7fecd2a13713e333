using Hearth.Numerics;

namespace Hearth.Tests.Numerics;

/// <summary>
/// Q8_1 and Q8_K never appear in files, so ggml's vectors do not cover them; these tests check the format's defining
/// properties instead (Q8_0 is checked bit for bit against ggml in <see cref="GgmlQuantVectorsTests"/>).
/// </summary>
public class ActivationQuantizerTests
{
    [Fact]
    public void Q8_K_maps_the_largest_magnitude_to_127_and_stores_exact_group_sums()
    {
        for (int seed = 1; seed <= 20; seed++)
        {
            float[] x = QuantTestData.RandomRow(512, seed);
            var q = new byte[2 * 292];
            TensorTypes.Get(GgmlType.Q8_K).Quantize!(x, q);
            for (int b = 0; b < 2; b++)
            {
                var blk = q.AsSpan(b * 292, 292);
                var xs = x.AsSpan(b * 256, 256);
                int iMax = 0;
                for (int i = 1; i < 256; i++) if (Math.Abs(xs[i]) > Math.Abs(xs[iMax])) iMax = i;
                float d = BitConverter.ToSingle(blk[..4]);
                // ggml: iscale = -127/max, so the extreme value maps to -127 and d = max / -127 has the opposite sign.
                Assert.Equal(-127, (sbyte)blk[4 + iMax]);
                Assert.Equal(xs[iMax] / -127, d, Math.Abs(xs[iMax]) * 1e-6f);
                for (int g = 0; g < 16; g++)
                {
                    int sum = 0;
                    for (int i = 0; i < 16; i++) sum += (sbyte)blk[4 + 16 * g + i];
                    Assert.Equal(sum, BitConverter.ToInt16(blk.Slice(260 + 2 * g, 2)));
                }
                for (int i = 0; i < 256; i++) Assert.True(Math.Abs(xs[i] - d * (sbyte)blk[4 + i]) <= 0.5001 * Math.Abs(d));
            }
        }
    }

    [Fact]
    public void Q8_1_rounds_like_Q8_0_and_stores_the_scaled_quant_sum()
    {
        for (int seed = 1; seed <= 20; seed++)
        {
            float[] x = QuantTestData.RandomRow(64, seed);
            var q80 = QuantTestData.Quantize(GgmlType.Q8_0, x);
            var q81 = QuantTestData.Quantize(GgmlType.Q8_1, x);
            for (int b = 0; b < 2; b++)
            {
                Assert.Equal(q80.AsSpan(b * 34, 2).ToArray(), q81.AsSpan(b * 36, 2).ToArray());
                Assert.Equal(q80.AsSpan(b * 34 + 2, 32).ToArray(), q81.AsSpan(b * 36 + 4, 32).ToArray());
                int sum = 0;
                for (int i = 0; i < 32; i++) sum += (sbyte)q81[b * 36 + 4 + i];
                float d = x.AsSpan(b * 32, 32).ToArray().Max(Math.Abs) / 127;
                Assert.Equal((Half)(sum * d), BitConverter.UInt16BitsToHalf(BitConverter.ToUInt16(q81, b * 36 + 2)));
            }
        }
    }

    [Fact]
    public void Half_and_bfloat16_conversions_round_to_nearest_even_and_quiet_nans()
    {
        // fp16: 1 + 2^-11 is exactly halfway between 1 and 1 + 2^-10 → even (1); 1 + 3·2^-11 → 1 + 2^-9 (even).
        Assert.Equal(0x3C00, Fp16.FromFloat(1f + MathF.Pow(2, -11)));
        Assert.Equal(0x3C02, Fp16.FromFloat(1f + 3 * MathF.Pow(2, -11)));
        Assert.Equal(0x7C00, Fp16.FromFloat(70000f));
        Assert.Equal(0x7E00, Fp16.FromFloat(float.NaN) & 0x7FFF);
        // bf16: 0x3F808000 is halfway between 0x3F80 and 0x3F81 → even; 0x3F818000 → 0x3F82.
        Assert.Equal(0x3F80, Fp16.BF16FromFloat(BitConverter.UInt32BitsToSingle(0x3F808000)));
        Assert.Equal(0x3F82, Fp16.BF16FromFloat(BitConverter.UInt32BitsToSingle(0x3F818000)));
        // NaN with payload only in the low bits keeps its top half and is forced quiet (bit 6), as ggml does.
        Assert.Equal(0x7F80 | 64, Fp16.BF16FromFloat(BitConverter.UInt32BitsToSingle(0x7F800001)));
        // Subnormals are kept (rounded), not flushed.
        Assert.Equal(0x0001, Fp16.BF16FromFloat(BitConverter.UInt32BitsToSingle(0x00010000)));
    }
}

public class VectorisedActivationQuantizerTests
{
    /// <summary>Rows with ties built in: values exactly at .5 steps of the quantization grid and repeated ±amax.</summary>
    private static float[] Row(int n, int seed)
    {
        var x = QuantTestData.RandomRow(n, seed);
        var rng = new Random(seed);
        if (seed % 2 == 0)
        {
            for (int i = 0; i < n; i += 32)
            {
                x[i] = 127f; // amax 127 → d = 1, so k + 0.5 values are exact ties
                for (int j = 1; j < 32; j += 3) x[i + j] = rng.Next(-126, 126) + 0.5f;
                x[i + 31] = -127f; // same magnitude, opposite sign: the first one must win
            }
        }
        return x;
    }

    [Fact]
    public void Q8_0_vectorised_equals_reference_bytes()
    {
        for (int seed = 0; seed < 40; seed++)
        {
            int n = 32 * (1 + seed % 9);
            var x = Row(n, seed);
            var expected = new byte[n / 32 * 34];
            var actual = new byte[expected.Length];
            Q8_0.Quantize(x, expected);
            ActivationQuantizer.QuantizeQ8_0(x, actual);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Q8_K_vectorised_equals_reference_bytes()
    {
        for (int seed = 0; seed < 40; seed++)
        {
            int n = 256 * (1 + seed % 3);
            var x = Row(n, seed);
            if (seed == 5) Array.Clear(x, 0, 256); // an all-zero block
            var expected = new byte[n / 256 * 292];
            var actual = new byte[expected.Length];
            Q8_K.Quantize(x, expected);
            ActivationQuantizer.QuantizeQ8_K(x, actual);
            Assert.Equal(expected, actual);
        }
    }
}
