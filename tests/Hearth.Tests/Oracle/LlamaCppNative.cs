using LLama.Native;

namespace Hearth.Tests.Oracle;

/// <summary>
/// One-time configuration of LLamaSharp's native llama.cpp library, and the lock every oracle call takes.
/// </summary>
/// <remarks>
/// Why the scalar ("noavx") build on x86-64: LLamaSharp.Backend.Cpu ships noavx/avx/avx2/avx512 builds and by default
/// picks the widest the CPU supports. The SIMD builds sum in different orders (and the AVX2 build measurably differs from
/// the AVX-512 one on quantized models: 0.1 logit on stories260K-Q4_K_M), so results would depend on the CI machine.
/// The scalar build is ggml's reference path, gives the same numbers on every x86-64 machine, matched the recorded
/// c392e50 AVX-512 outputs best (F32 6e-5, quantized 3e-6 max logit difference), and is fast enough for tiny models.
/// Set HEARTH_ORACLE_AVX=Avx|Avx2|Avx512 to try another build. Other platforms (arm64, macOS) have one build each.
/// </remarks>
internal static class LlamaCppNative
{
    /// <summary>Serializes all native calls: llama.cpp's backend and log callback are process-global, and the
    /// machine has few cores, so concurrent oracles would only contend.</summary>
    public static readonly Lock Gate = new();

    private static readonly Lazy<bool> Configured = new(Configure, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Messages at warning level or above that llama.cpp logged (kept for diagnostics in failures).</summary>
    public static readonly System.Collections.Concurrent.ConcurrentQueue<string> Warnings = new();

    public static void EnsureConfigured() => _ = Configured.Value;

    private static bool Configure()
    {
        var avx = AvxLevel.None;
        string? forced = Environment.GetEnvironmentVariable("HEARTH_ORACLE_AVX");
        if (!string.IsNullOrEmpty(forced) && !Enum.TryParse(forced, ignoreCase: true, out avx))
            throw new InvalidOperationException(
                $"HEARTH_ORACLE_AVX='{forced}' is not one of {string.Join(", ", Enum.GetNames<AvxLevel>())}.");

        if (NativeLibraryConfig.LLama.LibraryHasLoaded)
            throw new InvalidOperationException(
                "LLamaSharp's native library was loaded before LlamaCppOracle could configure it; " +
                "use LlamaCppOracle for every llama.cpp call in the tests.");

        NativeLibraryConfig.All
            .WithCuda(false)
            .WithVulkan(false)
            .WithAvx(avx)
            .WithAutoFallback(true)
            .WithLogCallback(OnLog);
        return true;
    }

    // llama.cpp logs every tensor and buffer at Info/Debug; keep only what signals a problem.
    private static void OnLog(LLamaLogLevel level, string message)
    {
        if (level is LLamaLogLevel.Warning or LLamaLogLevel.Error && Warnings.Count < 200)
            Warnings.Enqueue(message.TrimEnd());
    }
}
