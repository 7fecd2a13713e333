using System.Reflection;

namespace Hearth.Cli;

/// <summary>
/// The model shipped inside the CLI (Karpathy's stories260K, MIT) so that <c>hearth run</c> works with no download.
/// Models are memory-mapped, so the embedded bytes are written once to a cache file and mapped from there.
/// </summary>
internal static class BuiltInModel
{
    private const string ResourceName = "Hearth.Cli.stories260K.gguf";

    public const string DisplayName = "stories260K (built-in)";

    public static string EnsureExtracted()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException("The built-in model resource is missing from this build.");
        string dir = Path.Combine(Path.GetTempPath(), "hearth-" + Environment.UserName);
        string path = Path.Combine(dir, $"stories260K-{stream.Length}.gguf");
        if (File.Exists(path) && new FileInfo(path).Length == stream.Length) return path;
        Directory.CreateDirectory(dir);
        string tmp = path + "." + Environment.ProcessId + ".tmp";
        using (var f = File.Create(tmp)) stream.CopyTo(f);
        File.Move(tmp, path, overwrite: true);
        return path;
    }
}
