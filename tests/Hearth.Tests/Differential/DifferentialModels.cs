using System.Collections.Concurrent;
using Hearth.Tests.Oracle;

namespace Hearth.Tests.Differential;

/// <summary>Class fixture: writes each case's GGUF once into a temporary folder and deletes the folder at the end.</summary>
public sealed class DifferentialModels : IDisposable
{
    private readonly string _directory =
        Directory.CreateTempSubdirectory("hearth-differential-").FullName;
    private readonly ConcurrentDictionary<string, Lazy<string>> _paths = new();

    /// <summary>Path of the written model for case <paramref name="name"/> (see <see cref="DifferentialCases"/>).</summary>
    public string PathOf(string name)
    {
        var spec = DifferentialCases.All[name];
        return _paths.GetOrAdd(name, _ => new Lazy<string>(() =>
        {
            string path = Path.Combine(_directory, spec.Name + ".gguf");
            TestModelFactory.Write(spec, path);
            return path;
        })).Value;
    }

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
