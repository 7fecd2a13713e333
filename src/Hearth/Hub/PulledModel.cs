namespace Hearth.Hub;

/// <summary>A model present in the cache: its snapshot files (every part of a split, in order).</summary>
public sealed record PulledModel(string Repo, string Commit, IReadOnlyList<string> Files, IReadOnlyList<string> Paths, long Size)
{
    /// <summary>The path to open: the file, or the first part of a split model.</summary>
    public string EntryPath => Paths[0];

    /// <summary>The quantization named in the file name (Q4_K_M, F16...), or null.</summary>
    public string? Tag => QuantSelector.TagOf(Files[0]);

    /// <summary><c>ORG/REPO:QUANT</c> (or the file name when it names no quantization).</summary>
    public string Display => Tag != null ? $"{Repo}:{Tag}" : $"{Repo}/{Files[0]}";
}
