using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Hearth.Numerics;

/// <summary>
/// Picks the kernel variant once at start-up: the widest the CPU supports, or the one named by the environment variable
/// <c>HEARTH_KERNEL</c> (<c>scalar</c>, <c>v128</c>, <c>avx2</c>, <c>avx512</c>), clamped to what the CPU supports so a
/// forced variant never faults. The DOTNET_Enable* switches lower what "supported" means, so they steer this too.
/// </summary>
internal static class KernelSelector
{
    public const string EnvironmentVariable = "HEARTH_KERNEL";

    /// <summary>The widest variant this process may run.</summary>
    public static KernelVariant Best { get; } = DetectBest();

    /// <summary>The variant in use: <see cref="Best"/>, or lower when <c>HEARTH_KERNEL</c> asks for it.</summary>
    public static KernelVariant Active { get; } = Clamp(Parse(Environment.GetEnvironmentVariable(EnvironmentVariable)) ?? Best);

    public static bool IsSupported(KernelVariant v) => v <= Best;

    public static KernelVariant Clamp(KernelVariant v) => v <= Best ? v : Best;

    /// <summary>Parses a <c>HEARTH_KERNEL</c> value; null for empty; throws for an unknown name.</summary>
    public static KernelVariant? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        return value.Trim().ToLowerInvariant() switch
        {
            "scalar" => KernelVariant.Scalar,
            "v128" => KernelVariant.V128,
            "avx2" => KernelVariant.Avx2,
            "avx512" => KernelVariant.Avx512,
            _ => throw new ArgumentException(
                $"{EnvironmentVariable}='{value}' is not a kernel variant; use one of: scalar, v128, avx2, avx512."),
        };
    }

    private static KernelVariant DetectBest()
    {
        if (Avx512F.IsSupported && Avx512BW.IsSupported && Avx2.IsSupported && Fma.IsSupported) return KernelVariant.Avx512;
        if (Avx2.IsSupported && Fma.IsSupported) return KernelVariant.Avx2;
        // Any accelerated Vector128 runs the V128 kernels: SSSE3 / AdvSimd (+Dp) where present, plain Vector128 otherwise
        // (on x64, DOTNET_EnableSSE42=0 leaves only SSE2 and so exercises those plain paths).
        if (Vector128.IsHardwareAccelerated) return KernelVariant.V128;
        return KernelVariant.Scalar;
    }
}
