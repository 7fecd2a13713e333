using Hearth.Numerics;

namespace Hearth.Tests.Numerics;

/// <summary>
/// Every kernel variant against the scalar reference on random rows of every type and many lengths (1 block, odd block
/// counts, float rows with every SIMD tail). Variants the CPU lacks are skipped here; CI reruns this class with
/// DOTNET_EnableAVX512F=0, DOTNET_EnableAVX2=0 and DOTNET_EnableHWIntrinsic=0 and under Arm64 emulation.
/// </summary>
public class VecDotVariantTests
{
    public static TheoryData<GgmlType, string> Cases()
    {
        var data = new TheoryData<GgmlType, string>();
        foreach (var t in QuantTestData.WeightTypes)
        {
            foreach (var v in Enum.GetValues<KernelVariant>())
            {
                if (v != KernelVariant.Scalar) data.Add(t, v.ToString());
            }
        }
        return data;
    }

    /// <summary>
    /// Tolerance: both sides compute the same exact integer sum per block (or the same float products); they differ
    /// only in how the per-block float terms are accumulated (lane order, FMA, float vs double for the float types).
    /// Each order's error is at most (terms + 8)·2^-24 of Σ|terms| and Σ|terms| ≤ 2·Σ|a|·max|w| (the factor 2 covers
    /// the separately scaled minimum terms of Q4_1/Q5_1/K-quants), so the bound is (terms + 8)·2^-23·2·Σ|a|·max|w|.
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Variant_matches_scalar_reference(GgmlType type, string variantName)
    {
        var variant = Enum.Parse<KernelVariant>(variantName);
        Skip.IfNot(KernelSelector.IsSupported(variant), $"this CPU (or a DOTNET_Enable* setting) lacks {variant}");
        var traits = TensorTypes.Get(type);
        var act = TensorTypes.Get(traits.VecDotType);
        VecDot kernel = VecDotKernels.Find(type, variant) ?? traits.VecDotReference;
        int seed = 7;
        foreach (int n in QuantTestData.Lengths(type))
        {
            for (int rep = 0; rep < 3; rep++, seed++)
            {
                float[] wf = QuantTestData.RandomRow(n, seed);
                float[] af = QuantTestData.RandomRow(n, seed + 5000);
                byte[] w = QuantTestData.Quantize(type, wf);
                byte[] a = QuantTestData.Quantize(act.Type, af);
                double sumAbsA = 0, maxW = 0;
                float[] wd = QuantTestData.Dequantize(type, w, n);
                float[] ad = QuantTestData.Dequantize(act.Type, a, n);
                for (int i = 0; i < n; i++)
                {
                    sumAbsA += Math.Abs(ad[i]);
                    maxW = Math.Max(maxW, Math.Abs(wd[i]));
                }
                int terms = traits.BlockSize == 1 ? n : n / traits.BlockSize;
                double tol = (terms + 8) * Math.Pow(2, -23) * 2 * sumAbsA * maxW + 1e-30;
                float expected = traits.VecDotReference(n, w, a);
                float got = kernel(n, w, a);
                Assert.True(Math.Abs(got - expected) <= tol,
                    $"{type} {variant} n={n} seed={seed}: kernel {got:R}, reference {expected:R}, |diff| {Math.Abs(got - expected):E3} > {tol:E3}");
            }
        }
    }

    [Fact]
    public void Environment_variable_names_are_parsed_and_clamped()
    {
        Assert.Null(KernelSelector.Parse(null));
        Assert.Equal(KernelVariant.Scalar, KernelSelector.Parse("scalar"));
        Assert.Equal(KernelVariant.Avx512, KernelSelector.Parse(" AVX512 "));
        Assert.True(KernelSelector.Clamp(KernelVariant.Avx512) <= KernelSelector.Best);
        var ex = Assert.Throws<ArgumentException>(() => KernelSelector.Parse("sse9"));
        Assert.Contains("scalar, v128, avx2, avx512", ex.Message, StringComparison.Ordinal);
    }
}
