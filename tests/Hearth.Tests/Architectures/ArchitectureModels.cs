using System.Collections.Concurrent;

namespace Hearth.Tests.Architectures;

/// <summary>Class fixture: writes each case's GGUF once into a temporary folder and deletes the folder at the end.</summary>
public sealed class ArchitectureModels : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("hearth-arch-").FullName;
    private readonly ConcurrentDictionary<string, Lazy<string>> _paths = new();

    public string PathOf(string name) => _paths.GetOrAdd(name, _ => new Lazy<string>(() =>
    {
        string path = Path.Combine(_directory, name + ".gguf");
        (ArchitectureCases.All.TryGetValue(name, out var write) ? write
            : ArchitectureCases.GptOss.TryGetValue(name, out var gptOss) ? gptOss
            : Gemma4Cases.All.TryGetValue(name, out var gemma4) ? gemma4 : HybridCases.All[name])(path);
        return path;
    })).Value;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open elsewhere: the OS temp cleaner will take it.
        }
    }
}
