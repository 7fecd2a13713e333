namespace Hearth.Sampling;

/// <summary>Kinds of element in a compiled grammar (as llama.cpp's <c>llama_gretype</c>, with character sets folded into one kind).</summary>
internal enum GrammarElementKind : byte
{
    /// <summary>End of a rule's last alternative.</summary>
    End,
    /// <summary>End of an alternative; the next one starts after it.</summary>
    Alt,
    /// <summary>A reference to rule <c>Arg</c>.</summary>
    RuleRef,
    /// <summary>One code point from character class <c>Arg</c>.</summary>
    Char,
}

internal readonly record struct GrammarElement(GrammarElementKind Kind, int Arg)
{
    public bool IsEndOfSequence => Kind is GrammarElementKind.End or GrammarElementKind.Alt;
}

/// <summary>A set of code points as sorted, disjoint, inclusive ranges (negation is resolved when compiling).</summary>
internal sealed class CharClass
{
    public const int MaxCodePoint = 0x10FFFF;

    public CharClass(int[] ranges) => Ranges = ranges; // [lo0, hi0, lo1, hi1, ...]

    public int[] Ranges { get; }

    public bool Contains(int cp)
    {
        var r = Ranges;
        for (int i = 0; i < r.Length; i += 2)
        {
            if (cp < r[i]) return false;
            if (cp <= r[i + 1]) return true;
        }
        return false;
    }

    /// <summary>Whether any code point in [lo, hi] is in the set.</summary>
    public bool Intersects(int lo, int hi)
    {
        var r = Ranges;
        for (int i = 0; i < r.Length; i += 2)
            if (r[i] <= hi && r[i + 1] >= lo) return true;
        return false;
    }

    /// <summary>Builds a class from (possibly overlapping) ranges, complemented over all code points when <paramref name="negated"/>.</summary>
    public static CharClass From(List<(int Lo, int Hi)> ranges, bool negated)
    {
        ranges.Sort((a, b) => a.Lo.CompareTo(b.Lo));
        var merged = new List<int>();
        foreach (var (lo, hi) in ranges)
        {
            if (merged.Count > 0 && lo <= merged[^1] + 1) merged[^1] = Math.Max(merged[^1], hi);
            else { merged.Add(lo); merged.Add(hi); }
        }
        if (!negated) return new CharClass([.. merged]);
        var comp = new List<int>();
        int next = 0;
        for (int i = 0; i < merged.Count; i += 2)
        {
            if (merged[i] > next) { comp.Add(next); comp.Add(merged[i] - 1); }
            next = merged[i + 1] + 1;
        }
        if (next <= MaxCodePoint) { comp.Add(next); comp.Add(MaxCodePoint); }
        return new CharClass([.. comp]);
    }
}
