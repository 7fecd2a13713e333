using System.Runtime.InteropServices;

namespace Hearth.Tests.Numerics;

/// <summary>
/// ggml's own quantization functions, called in the scalar ("noavx" on x86-64) libggml-base that LLamaSharp.Backend.Cpu
/// ships beside the test assembly: the external truth for formats that the shared quant-vector file predates (MXFP4).
/// Test project only; the library is the same build the llama.cpp oracle runs.
/// </summary>
internal static unsafe class GgmlBaseLibrary
{
    private static readonly Lazy<nint> Handle = new(Load);

    /// <summary>ggml's row function <paramref name="name"/>(const void* src, void* dst, int64 k).</summary>
    public static delegate* unmanaged<void*, void*, long, void> Row(string name) =>
        (delegate* unmanaged<void*, void*, long, void>)NativeLibrary.GetExport(Handle.Value, name);

    private static nint Load()
    {
        string rid = RuntimeInformation.RuntimeIdentifier;
        string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : rid.StartsWith("linux-musl", StringComparison.Ordinal) ? "linux-musl" : "linux";
        string file = OperatingSystem.IsWindows() ? "ggml-base.dll" : OperatingSystem.IsMacOS() ? "libggml-base.dylib" : "libggml-base.so";
        string native = Path.Combine(AppContext.BaseDirectory, "runtimes", $"{os}-{arch}", "native");
        foreach (string candidate in new[] { Path.Combine(native, "noavx", file), Path.Combine(native, file) })
        {
            if (File.Exists(candidate)) return NativeLibrary.Load(candidate);
        }
        throw new FileNotFoundException($"ggml's base library was not found under {native} (LLamaSharp.Backend.Cpu ships it for {os}-{arch}).");
    }
}
