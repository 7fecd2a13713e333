using System.Text.RegularExpressions;

namespace Hearth.Hub;

/// <summary>
/// A model on the Hub as a user names it: <c>ORG/REPO[:QUANT]</c> (also with an <c>hf.co/</c> or
/// <c>huggingface.co/</c> prefix, as Ollama and llama.cpp accept), or a file URL
/// <c>https://HOST/ORG/REPO/resolve/REVISION/PATH</c> (or <c>/blob/</c>) naming one file exactly.
/// </summary>
public sealed partial record ModelReference(string Repo, string? Tag, string? FilePath = null, string Revision = "main", Uri? Endpoint = null)
{
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex RepoId();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex TagName();

    /// <summary>How the model is shown: <c>ORG/REPO:QUANT</c>, or <c>ORG/REPO/PATH</c> for one file.</summary>
    public string Display => FilePath != null ? $"{Repo}/{FilePath}" : Tag != null ? $"{Repo}:{Tag}" : Repo;

    /// <summary>The same as <see cref="Display"/>.</summary>
    public override string ToString() => Display;

    /// <summary>
    /// Parses a Hub reference; false for anything that reads as a file path (an existing file, a name ending in
    /// <c>.gguf</c>, an absolute or ./ path), so <c>-m</c> can take either.
    /// </summary>
    public static bool TryParse(string text, out ModelReference reference)
    {
        reference = null!;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        if (text.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            return TryParseUrl(text, out reference);
        }
        if (File.Exists(text) || Directory.Exists(text)) return false;
        foreach (string prefix in (string[])["hf.co/", "huggingface.co/"])
        {
            if (text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) text = text[prefix.Length..];
        }
        string repo = text;
        string? tag = null;
        int colon = text.LastIndexOf(':');
        if (colon >= 0)
        {
            repo = text[..colon];
            tag = text[(colon + 1)..];
            if (!TagName().IsMatch(tag)) return false;
        }
        if (!RepoId().IsMatch(repo) || repo.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)) return false;
        reference = new ModelReference(repo, tag);
        return true;
    }

    private static bool TryParseUrl(string text, out ModelReference reference)
    {
        reference = null!;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri)) return false;
        string[] segments = uri.AbsolutePath.Trim('/').Split('/');
        // ORG / REPO / (resolve|blob) / REVISION / PATH...
        if (segments.Length < 5 || segments[2] is not ("resolve" or "blob")) return false;
        string repo = $"{Uri.UnescapeDataString(segments[0])}/{Uri.UnescapeDataString(segments[1])}";
        if (!RepoId().IsMatch(repo)) return false;
        string revision = Uri.UnescapeDataString(segments[3]);
        string path = string.Join('/', segments[4..].Select(Uri.UnescapeDataString));
        var endpoint = new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
        reference = new ModelReference(repo, null, path, revision, endpoint);
        return true;
    }
}
