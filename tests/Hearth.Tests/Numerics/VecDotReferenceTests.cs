using Hearth.Numerics;

namespace Hearth.Tests.Numerics;

/// <summary>
/// The scalar reference dot of every weight type equals Σ w·a over the dequantized weight and the dequantized
/// activation (a math identity: the integer block sums only regroup the same products).
/// </summary>
public class VecDotReferenceTests
{
    public static TheoryData<GgmlType> Types() => new(QuantTestData.WeightTypes);

    [Theory]
    [MemberData(nameof(Types))]
    public void Reference_dot_equals_float_dot_of_dequantized_rows(GgmlType type)
    {
        var traits = TensorTypes.Get(type);
        var act = TensorTypes.Get(traits.VecDotType);
        int seed = 1;
        foreach (int n in QuantTestData.Lengths(type))
        {
            for (int rep = 0; rep < 3; rep++, seed++)
            {
                byte[] w = QuantTestData.Quantize(type, QuantTestData.RandomRow(n, seed));
                byte[] a = QuantTestData.Quantize(act.Type, QuantTestData.RandomRow(n, seed + 1000));
                float[] wf = QuantTestData.Dequantize(type, w, n);
                float[] af = QuantTestData.Dequantize(act.Type, a, n);
                double exact = 0, magnitude = 0, wmax = 0;
                for (int i = 0; i < n; i++)
                {
                    exact += (double)wf[i] * af[i];
                    magnitude += Math.Abs((double)af[i]);
                    wmax = Math.Max(wmax, Math.Abs(wf[i]));
                }
                // Float rounding only: each dequantized value and each block term carries a few float32 ulps, and the
                // block terms are summed in float32, so the error is bounded by ~n·2^-24 of Σ|a|·max|w|; 1e-5 leaves room
                // for rows of 33 blocks of 256. Q8_1 additionally stores s = d·Σq as fp16 (half an fp16 ulp, 2^-11
                // relative, per block times the weight block's minimum): that term is what ggml computes too.
                double tol = 1e-5 * magnitude * wmax + Q8_1MinimumRounding(type, w, a, n) + 1e-30;
                float got = traits.VecDotReference(n, w, a);
                Assert.True(Math.Abs(got - exact) <= tol, $"{type} n={n} seed={seed}: dot {got:R}, float dot {exact:R}, tolerance {tol:E3}");
            }
        }
    }

    /// <summary>Σ over blocks of |m|·|s|·2^-11 for the Q4_1/Q5_1 × Q8_1 pairs (zero for every other type).</summary>
    internal static double Q8_1MinimumRounding(GgmlType type, byte[] w, byte[] a, int n)
    {
        if (type != GgmlType.Q4_1 && type != GgmlType.Q5_1) return 0;
        int wb = TensorTypes.Get(type).BytesPerBlock;
        double sum = 0;
        for (int b = 0; b < n / 32; b++)
        {
            float m = (float)BitConverter.UInt16BitsToHalf(BitConverter.ToUInt16(w, b * wb + 2));
            float s = (float)BitConverter.UInt16BitsToHalf(BitConverter.ToUInt16(a, b * 36 + 2));
            sum += Math.Abs(m) * (Math.Abs(s) + 6e-8) * Math.Pow(2, -11);
        }
        return sum;
    }
}
