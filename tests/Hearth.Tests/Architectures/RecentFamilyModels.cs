using System.Collections.Concurrent;

namespace Hearth.Tests.Architectures;

/// <summary>Class fixture: writes each <see cref="RecentFamilyCases"/> GGUF once into a temporary folder, deleted at the end.</summary>
public sealed class RecentFamilyModels : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("hearth-recent-").FullName;
    private readonly ConcurrentDictionary<string, Lazy<string>> _paths = new();

    public string PathOf(string name) => _paths.GetOrAdd(name, _ => new Lazy<string>(() =>
    {
        string path = Path.Combine(_directory, name + ".gguf");
        RecentFamilyCases.All[name](path);
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
