namespace Hearth.Tokenization;

/// <summary>Tests one code point (with its classes) against a regex character class.</summary>
internal delegate bool CharPredicate(int cp, CharFlags flags);

/// <summary>Character classes used by the pre-tokenizer patterns.</summary>
internal static class Classes
{
    public static readonly CharPredicate Number = (_, f) => (f & CharFlags.Number) != 0;
    public static readonly CharPredicate Letter = (_, f) => (f & CharFlags.Letter) != 0;
    public static readonly CharPredicate AsciiDigit = (c, _) => c is >= '0' and <= '9';
    public static readonly CharPredicate CrLf = (c, _) => c is '\r' or '\n';

    /// <summary>
    /// <c>\p{P}</c> as llama.cpp's regex fallback sees it: ASCII characters are classified by its own table, which
    /// files '~' under neither punctuation nor symbol, unlike Unicode.
    /// </summary>
    public static readonly CharPredicate Punctuation = (_, f) => (f & CharFlags.Punctuation) != 0;

    /// <summary><c>[\p{P}\p{S}]</c> with the same '~' exception.</summary>
    public static bool PunctuationOrSymbol(int c, CharFlags f) => c != '~' && (f & (CharFlags.Punctuation | CharFlags.Symbol)) != 0;

    /// <summary>
    /// A literal character class for patterns matched on code points (no \p{..}): llama.cpp first replaces every
    /// non-ASCII whitespace code point by U+000B, so such characters only match <c>\s</c>.
    /// </summary>
    public static CharPredicate Literal(string spec)
    {
        var set = new CodepointSet(spec);
        return (c, f) => !(c > 0x7F && (f & CharFlags.Whitespace) != 0) && set.Contains(c);
    }

    /// <summary>A class of several predicates or'ed.</summary>
    public static CharPredicate Any(params CharPredicate[] parts) => (c, f) =>
    {
        foreach (var p in parts) if (p(c, f)) return true;
        return false;
    };

    public static CharPredicate Not(CharPredicate p) => (c, f) => !p(c, f);
}

/// <summary><c>X+</c>.</summary>
internal sealed class RunRule(CharPredicate x) : SplitRule
{
    public override int Match(ReadOnlySpan<int> cp, ReadOnlySpan<CharFlags> f, int pos, int end)
    {
        int p = pos;
        while (p < end && x(cp[p], f[p])) p++;
        return p - pos;
    }
}

/// <summary><c>X{min,max}</c> (greedy; <c>X{n}</c> is min = max = n).</summary>
internal sealed class RepeatRule(CharPredicate x, int min, int max) : SplitRule
{
    public override int Match(ReadOnlySpan<int> cp, ReadOnlySpan<CharFlags> f, int pos, int end)
    {
        int p = pos;
        while (p < end && p - pos < max && x(cp[p], f[p])) p++;
        return p - pos >= min ? p - pos : 0;
    }
}

/// <summary><c>\s?X+</c>, or with <paramref name="spaceOnly"/> <c> ?X+</c> (a literal space).</summary>
internal sealed class OptionalSpaceRunRule(CharPredicate x, bool spaceOnly = false) : SplitRule
{
    public override int Match(ReadOnlySpan<int> cp, ReadOnlySpan<CharFlags> f, int pos, int end)
    {
        bool space = spaceOnly ? cp[pos] == ' ' : IsWs(f[pos]);
        int p = space && pos + 1 < end && x(cp[pos + 1], f[pos + 1]) ? pos + 1 : pos;
        int q = p;
        while (q < end && x(cp[q], f[q])) q++;
        return q > p ? q - pos : 0;
    }
}

/// <summary><c>\s+$</c>: the whitespace that ends the chunk.</summary>
internal sealed class TrailingWhitespaceRule : SplitRule
{
    public override int Match(ReadOnlySpan<int> cp, ReadOnlySpan<CharFlags> f, int pos, int end)
    {
        for (int p = pos; p < end; p++) if (!IsWs(f[p])) return 0;
        return end - pos;
    }

    // Searching from the end keeps long whitespace runs in the middle of a chunk linear.
    public override bool Find(ReadOnlySpan<int> cp, ReadOnlySpan<CharFlags> f, int from, int end, out int start, out int length)
    {
        int t = end;
        while (t > from && IsWs(f[t - 1])) t--;
        start = t;
        length = end - t;
        return length > 0;
    }
}

/// <summary>
/// DeepSeek V3's main pattern: <c>[!-/:-@\[-`{-~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+</c>.
/// </summary>
internal sealed class DeepSeekV3Rule : SplitRule
{
    private static bool AsciiLetter(int c) => (uint)((c | 0x20) - 'a') <= 'z' - 'a';

    private static bool AsciiPunct(int c) => c is (>= '!' and <= '/') or (>= ':' and <= '@') or (>= '[' and <= '`') or (>= '{' and <= '~');

    private static bool LetterOrMark(ReadOnlySpan<CharFlags> f, int i, int end) => (At(f, i, end) & (CharFlags.Letter | CharFlags.Mark)) != 0;

    public override int Match(ReadOnlySpan<int> cp, ReadOnlySpan<CharFlags> f, int pos, int end)
    {
        int c = cp[pos];
        var fl = f[pos];
        if (AsciiPunct(c) && pos + 1 < end && AsciiLetter(cp[pos + 1]))
        {
            int p = pos + 1;
            while (p < end && AsciiLetter(cp[p])) p++;
            return p - pos;
        }
        if (!IsCrLf(c) && (fl & CharFlags.Letter) == 0 && !Classes.PunctuationOrSymbol(c, fl) && LetterOrMark(f, pos + 1, end))
        {
            int p = pos + 1;
            while (LetterOrMark(f, p, end)) p++;
            return p - pos;
        }
        if (LetterOrMark(f, pos, end))
        {
            int p = pos;
            while (LetterOrMark(f, p, end)) p++;
            return p - pos;
        }
        int first = c == ' ' && pos + 1 < end && Classes.PunctuationOrSymbol(cp[pos + 1], f[pos + 1]) ? pos + 1 : pos;
        if (Classes.PunctuationOrSymbol(cp[first], f[first]))
        {
            int p = first;
            while (p < end && Classes.PunctuationOrSymbol(cp[p], f[p])) p++;
            while (p < end && IsCrLf(cp[p])) p++;
            return p - pos;
        }
        return MatchWhitespace(cp, f, pos, end, lineBreaks: true);
    }
}
