using Hearth.Numerics;

namespace Hearth.Tests.Numerics;

/// <summary>
/// Every kernel variant against the scalar reference on blocks of random bytes rather than quantizer output, so every
/// bit pattern a file may hold is met: all scale codes (Q3_K's negative ones, Q4_K/Q5_K's 6-bit scales and minimums,
/// Q2_K's 4-bit ones), every fifth/high bit, extreme quants against ±127 activations. Only the fp16 scales (and MXFP4's exponent) are set to
/// finite, moderate values (random bits would give infinities and NaNs). Integer block sums must be exact, so the same
/// float-accumulation bound as <see cref="VecDotVariantTests"/> applies.
/// </summary>
public class RandomBlockKernelTests
{
    public static TheoryData<GgmlType, string> Cases()
    {
        var data = new TheoryData<GgmlType, string>();
        foreach (var t in QuantTestData.WeightTypes)
        {
            if (TensorTypes.Get(t).BlockSize == 1) continue; // float rows: VecDotVariantTests covers every tail
            foreach (var v in Enum.GetValues<KernelVariant>())
            {
                if (v != KernelVariant.Scalar) data.Add(t, v.ToString());
            }
        }
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Variant_matches_reference_on_random_blocks(GgmlType type, string variantName)
    {
        var variant = Enum.Parse<KernelVariant>(variantName);
        Skip.IfNot(KernelSelector.IsSupported(variant), $"this CPU (or a DOTNET_Enable* setting) lacks {variant}");
        var traits = TensorTypes.Get(type);
        var act = TensorTypes.Get(traits.VecDotType);
        VecDot kernel = VecDotKernels.Find(type, variant) ?? traits.VecDotReference;
        var rng = new Random(1234 + (int)type);
        foreach (int blocks in new[] { 1, 2, 3, 8, 9 })
        {
            int n = traits.BlockSize * blocks;
            for (int rep = 0; rep < 8; rep++)
            {
                byte[] w = RandomWeight(type, n, rng);
                byte[] a = RandomActivation(act.Type, n, rng, extreme: rep % 2 == 1);
                float[] wd = QuantTestData.Dequantize(type, w, n);
                float[] ad = QuantTestData.Dequantize(act.Type, a, n);
                double sumAbsA = 0, maxW = 0;
                for (int i = 0; i < n; i++)
                {
                    sumAbsA += Math.Abs(ad[i]);
                    maxW = Math.Max(maxW, Math.Abs(wd[i]));
                }
                int terms = n / traits.BlockSize;
                double tol = (terms + 8) * Math.Pow(2, -23) * 2 * sumAbsA * maxW + 1e-30;
                float expected = traits.VecDotReference(n, w, a);
                float got = kernel(n, w, a);
                Assert.True(Math.Abs(got - expected) <= tol,
                    $"{type} {variant} n={n} rep={rep}: kernel {got:R}, reference {expected:R}, |diff| {Math.Abs(got - expected):E3} > {tol:E3}");
            }
        }
    }

    [SkippableFact]
    public void Every_weight_type_has_its_own_v128_kernel()
    {
        Skip.IfNot(KernelSelector.IsSupported(KernelVariant.V128), "no 128-bit SIMD here: Find clamps to the scalar reference");
        foreach (var t in QuantTestData.WeightTypes)
        {
            var k = VecDotKernels.Find(t, KernelVariant.V128);
            Assert.True(k != null && k.Method.DeclaringType == typeof(DotV128), $"{t} has no Vector128 kernel");
        }
    }

    private static byte[] RandomWeight(GgmlType type, int n, Random rng) =>
        QuantTestData.RandomBlocks(type, n, rng, () => (float)(rng.NextDouble() * 0.1 + 1e-3));

    /// <summary>Q8_0 / Q8_1 / Q8_K activations with random quants in [-127, 127] and consistent sums; extreme rows use only ±127.</summary>
    private static byte[] RandomActivation(GgmlType type, int n, Random rng, bool extreme)
    {
        var traits = TensorTypes.Get(type);
        var a = new byte[traits.RowBytes(n)];
        int qs = type switch { GgmlType.Q8_0 => 2, GgmlType.Q8_1 => 4, _ => Q8_K.QsOffset };
        for (int b = 0; b < a.Length; b += traits.BytesPerBlock)
        {
            float d = (float)(rng.NextDouble() * 0.05 + 1e-3);
            int sum = 0;
            var q = new int[traits.BlockSize];
            for (int j = 0; j < q.Length; j++)
            {
                q[j] = extreme ? (rng.Next(2) == 0 ? -127 : 127) : rng.Next(-127, 128);
                a[b + qs + j] = (byte)(sbyte)q[j];
                sum += q[j];
            }
            if (type == GgmlType.Q8_K)
            {
                BitConverter.TryWriteBytes(a.AsSpan(b, 4), d);
                for (int g = 0; g < 16; g++)
                {
                    int s = 0;
                    for (int k = 0; k < 16; k++) s += q[16 * g + k];
                    BitConverter.TryWriteBytes(a.AsSpan(b + Q8_K.BsumsOffset + 2 * g, 2), (short)s);
                }
            }
            else
            {
                WriteHalf(a, b, d);
                if (type == GgmlType.Q8_1) WriteHalf(a, b + 2, Fp16.ToFloat(Fp16.FromFloat(d)) * sum);
            }
        }
        return a;
    }

    private static void WriteHalf(byte[] buf, int offset, float v) =>
        BitConverter.TryWriteBytes(buf.AsSpan(offset, 2), Fp16.FromFloat(v));
}
