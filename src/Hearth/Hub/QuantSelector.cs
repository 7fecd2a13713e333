using System.Text.RegularExpressions;
using Hearth.Gguf;

namespace Hearth.Hub;

/// <summary>
/// Picks the GGUF file(s) of a repository for a quantization tag: the tag matches the file name case-insensitively
/// at word boundaries (<c>Q4_K</c> does not match <c>Q4_K_M</c>, <c>Q4_XS</c> not <c>IQ4_XS</c>); without a tag,
/// Q4_K_M, then Q8_0, then the first GGUF in name order (as llama.cpp's -hf does). A split model is all its parts.
/// Vision projectors (<c>mmproj</c>) are never picked as the model.
/// </summary>
public static partial class QuantSelector
{
    /// <summary>The tags tried, in order, when none is given.</summary>
    public static readonly string[] DefaultPreference = ["Q4_K_M", "Q8_0"];

    [GeneratedRegex(@"(?<![A-Za-z0-9])((?:UD-)?(?:I?Q[1-8](?:_[A-Z0-9]+)*|F16|F32|BF16|MXFP4(?:_MOE)?|TQ[12]_0))(?![A-Za-z0-9])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex QuantInName();

    /// <summary>The files of one model in order (one file, or every part of a split).</summary>
    public static IReadOnlyList<T> Select<T>(IReadOnlyList<T> files, Func<T, string> pathOf, string? tag, string? exactPath, string repo)
    {
        var groups = Groups(files, pathOf);
        if (exactPath != null)
        {
            foreach (var g in groups)
            {
                if (g.Any(f => string.Equals(pathOf(f), exactPath, StringComparison.Ordinal))) return g;
            }
            throw new HubException(HubErrorKind.NotFound, $"Repository '{repo}' has no GGUF file '{exactPath}'.");
        }
        if (groups.Count == 0) throw new HubException(HubErrorKind.NotFound, $"Repository '{repo}' has no GGUF files.");
        if (tag != null)
        {
            foreach (var g in groups)
            {
                if (Matches(pathOf(g[0]), tag)) return g;
            }
            throw new HubException(HubErrorKind.NotFound,
                $"Repository '{repo}' has no GGUF file for quantization '{tag}'. Available: {string.Join(", ", groups.Select(g => TagOf(pathOf(g[0])) ?? pathOf(g[0])).Distinct())}.");
        }
        foreach (string preferred in DefaultPreference)
        {
            foreach (var g in groups)
            {
                if (Matches(pathOf(g[0]), preferred)) return g;
            }
        }
        return groups[0];
    }

    /// <summary>The GGUF files grouped into models (split parts together, in part order), sorted by name.</summary>
    public static List<List<T>> Groups<T>(IReadOnlyList<T> files, Func<T, string> pathOf)
    {
        var byKey = new SortedDictionary<string, List<T>>(StringComparer.Ordinal);
        foreach (var f in files)
        {
            string path = pathOf(f);
            if (!path.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)) continue;
            if (System.IO.Path.GetFileName(path).Contains("mmproj", StringComparison.OrdinalIgnoreCase)) continue;
            string key = GgufSplit.TryParsePath(path, out string prefix, out _, out int count) ? $"{prefix}\0{count}" : path;
            if (!byKey.TryGetValue(key, out var list)) byKey[key] = list = [];
            list.Add(f);
        }
        var groups = new List<List<T>>(byKey.Count);
        foreach (var list in byKey.Values)
        {
            list.Sort((a, b) => string.CompareOrdinal(pathOf(a), pathOf(b)));
            groups.Add(list);
        }
        return groups;
    }

    /// <summary>Whether <paramref name="path"/> names quantization <paramref name="tag"/> (case-insensitive, whole word).</summary>
    public static bool Matches(string path, string tag)
    {
        string name = path.ToUpperInvariant();
        string t = tag.ToUpperInvariant();
        for (int at = name.IndexOf(t, StringComparison.Ordinal); at >= 0; at = name.IndexOf(t, at + 1, StringComparison.Ordinal))
        {
            bool startOk = at == 0 || !char.IsAsciiLetterOrDigit(name[at - 1]);
            int end = at + t.Length;
            bool endOk = end == name.Length || !(char.IsAsciiLetterOrDigit(name[end]) || name[end] == '_');
            if (startOk && endOk) return true;
        }
        return false;
    }

    /// <summary>The quantization named in a file name (<c>Q4_K_M</c>, <c>UD-Q4_K_XL</c>, <c>F16</c>...), upper-cased, or null.</summary>
    public static string? TagOf(string path)
    {
        string name = System.IO.Path.GetFileName(path);
        if (GgufSplit.TryParsePath(name, out string prefix, out _, out _)) name = prefix;
        else if (name.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)) name = name[..^5];
        string? last = null;
        foreach (Match m in QuantInName().Matches(name)) last = m.Groups[1].Value.ToUpperInvariant();
        return last;
    }
}
