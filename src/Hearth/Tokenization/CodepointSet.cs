namespace Hearth.Tokenization;

/// <summary>A regex character class over code points, e.g. <c>"A-Za-z\u00B5\u00C0-\u00D6"</c> (single characters and ranges).</summary>
internal sealed class CodepointSet
{
    private readonly int[] _lo;
    private readonly int[] _hi;

    public CodepointSet(string spec)
    {
        var cps = new List<int>();
        foreach (var r in spec.EnumerateRunes()) cps.Add(r.Value);
        var ranges = new List<(int Lo, int Hi)>();
        for (int i = 0; i < cps.Count;)
        {
            if (i + 2 < cps.Count && cps[i + 1] == '-') { ranges.Add((cps[i], cps[i + 2])); i += 3; }
            else { ranges.Add((cps[i], cps[i])); i++; }
        }
        ranges.Sort();
        var merged = new List<(int Lo, int Hi)>();
        foreach (var r in ranges)
        {
            if (merged.Count > 0 && r.Lo <= merged[^1].Hi + 1) merged[^1] = (merged[^1].Lo, Math.Max(merged[^1].Hi, r.Hi));
            else merged.Add(r);
        }
        _lo = [.. merged.Select(r => r.Lo)];
        _hi = [.. merged.Select(r => r.Hi)];
    }

    public bool Contains(int cp)
    {
        int i = Array.BinarySearch(_lo, cp);
        if (i < 0) i = ~i - 1;
        return i >= 0 && cp <= _hi[i];
    }
}
