namespace Hearth.Numerics;

/// <summary>
/// Which dot kernel each type uses in each <see cref="KernelVariant"/>. A variant without its own kernel for a type
/// uses the next narrower variant's, down to the scalar reference.
/// </summary>
internal static class VecDotKernels
{
    /// <summary>The kernel <paramref name="type"/> runs under <paramref name="variant"/> (clamped to the CPU), or null for the scalar reference.</summary>
    public static VecDot? Find(GgmlType type, KernelVariant variant)
    {
        for (var v = KernelSelector.Clamp(variant); v > KernelVariant.Scalar; v--)
        {
            var k = Own(type, v);
            if (k != null) return k;
        }
        return null;
    }

    private static VecDot? Own(GgmlType type, KernelVariant variant) => variant switch
    {
        KernelVariant.Avx512 => type switch
        {
            GgmlType.F32 => DotAvx512.DotF32,
            GgmlType.F16 => DotAvx512.DotF16,
            // Measured (2048 columns): AVX-VNNI's 256-bit vpdpbusd beats 512-bit maddubs/madd (~115 vs ~185 ns/row for
            // Q8_0), and .NET 10 has no 512-bit VNNI short of AVX10.1, so the 512-bit versions only serve CPUs without AVX-VNNI.
            GgmlType.Q8_0 when !System.Runtime.Intrinsics.X86.AvxVnni.IsSupported => DotAvx512.DotQ8_0,
            GgmlType.Q4_0 when !System.Runtime.Intrinsics.X86.AvxVnni.IsSupported => DotAvx512.DotQ4_0,
            _ => null,
        },
        KernelVariant.Avx2 => type switch
        {
            GgmlType.F32 => DotAvx2.DotF32,
            GgmlType.F16 => DotAvx2.DotF16,
            GgmlType.BF16 => DotAvx2.DotBF16,
            GgmlType.Q4_0 => DotAvx2.DotQ4_0,
            GgmlType.Q4_1 => DotAvx2.DotQ4_1,
            GgmlType.Q5_0 => DotAvx2.DotQ5_0,
            GgmlType.Q5_1 => DotAvx2.DotQ5_1,
            GgmlType.Q8_0 => DotAvx2.DotQ8_0,
            GgmlType.Q2_K => DotAvx2.DotQ2_K,
            GgmlType.Q3_K => DotAvx2.DotQ3_K,
            GgmlType.Q4_K => DotAvx2.DotQ4_K,
            GgmlType.Q5_K => DotAvx2.DotQ5_K,
            GgmlType.Q6_K => DotAvx2.DotQ6_K,
            GgmlType.IQ4_NL => DotAvx2.DotIQ4_NL,
            GgmlType.IQ4_XS => DotAvx2.DotIQ4_XS,
            GgmlType.IQ3_XXS => DotAvx2.DotIQ3_XXS,
            GgmlType.IQ3_S => DotAvx2.DotIQ3_S,
            GgmlType.IQ2_XXS => DotAvx2.DotIQ2_XXS,
            GgmlType.IQ2_XS => DotAvx2.DotIQ2_XS,
            GgmlType.IQ2_S => DotAvx2.DotIQ2_S,
            GgmlType.IQ1_S => DotAvx2.DotIQ1_S,
            GgmlType.IQ1_M => DotAvx2.DotIQ1_M,
            GgmlType.TQ1_0 => DotAvx2.DotTQ1_0,
            GgmlType.TQ2_0 => DotAvx2.DotTQ2_0,
            GgmlType.MXFP4 => DotAvx2.DotMxfp4,
            _ => null,
        },
        KernelVariant.V128 => type switch
        {
            GgmlType.F32 => DotV128.DotF32,
            GgmlType.F16 => DotV128.DotF16,
            GgmlType.BF16 => DotV128.DotBF16,
            GgmlType.Q4_0 => DotV128.DotQ4_0,
            GgmlType.Q4_1 => DotV128.DotQ4_1,
            GgmlType.Q5_0 => DotV128.DotQ5_0,
            GgmlType.Q5_1 => DotV128.DotQ5_1,
            GgmlType.Q8_0 => DotV128.DotQ8_0,
            GgmlType.Q2_K => DotV128.DotQ2_K,
            GgmlType.Q3_K => DotV128.DotQ3_K,
            GgmlType.Q4_K => DotV128.DotQ4_K,
            GgmlType.Q5_K => DotV128.DotQ5_K,
            GgmlType.Q6_K => DotV128.DotQ6_K,
            GgmlType.IQ4_NL => DotV128.DotIQ4_NL,
            GgmlType.IQ4_XS => DotV128.DotIQ4_XS,
            GgmlType.IQ3_XXS => DotV128.DotIQ3_XXS,
            GgmlType.IQ3_S => DotV128.DotIQ3_S,
            GgmlType.IQ2_XXS => DotV128.DotIQ2_XXS,
            GgmlType.IQ2_XS => DotV128.DotIQ2_XS,
            GgmlType.IQ2_S => DotV128.DotIQ2_S,
            GgmlType.IQ1_S => DotV128.DotIQ1_S,
            GgmlType.IQ1_M => DotV128.DotIQ1_M,
            GgmlType.TQ1_0 => DotV128.DotTQ1_0,
            GgmlType.TQ2_0 => DotV128.DotTQ2_0,
            GgmlType.MXFP4 => DotV128.DotMxfp4,
            _ => null,
        },
        _ => null,
    };
}
