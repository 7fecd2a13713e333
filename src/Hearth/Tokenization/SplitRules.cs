namespace Hearth.Tokenization;

/// <summary>
/// One pattern of a pre-tokenizer, written out by hand instead of as a regex. Each rule reproduces the leftmost,
/// first-alternative-wins match of its regex over the code points of one chunk (lookahead stops at the chunk end),
/// with character classes as llama.cpp evaluates them (see <see cref="CharClass"/>).
/// </summary>
internal abstract class SplitRule
{
    /// <summary>Length of the match that starts at <paramref name="pos"/> (inside [pos, end)), or 0 for none.</summary>
    public abstract int Match(ReadOnlySpan<int> cp, ReadOnlySpan<CharFlags> f, int pos, int end);

    /// <summary>The leftmost match in [from, end).</summary>
    public virtual bool Find(ReadOnlySpan<int> cp, ReadOnlySpan<CharFlags> f, int from, int end, out int start, out int length)
    {
        for (int p = from; p < end; p++)
        {
            int n = Match(cp, f, p, end);
            if (n > 0) { start = p; length = n; return true; }
        }
        start = end;
        length = 0;
        return false;
    }

    protected static CharFlags At(ReadOnlySpan<CharFlags> f, int i, int end) => i < end ? f[i] : CharFlags.None;

    protected static bool IsWs(CharFlags f) => (f & CharFlags.Whitespace) != 0;

    protected static bool IsCrLf(int c) => c == '\r' || c == '\n';

    /// <summary>A run of whitespace: <c>\s*[\r\n]+|\s+(?!\S)|\s+</c> (optionally without the first alternative).</summary>
    protected static int MatchWhitespace(ReadOnlySpan<int> cp, ReadOnlySpan<CharFlags> f, int pos, int end, bool lineBreaks)
    {
        int n = 0, lastLineBreak = -1;
        while (IsWs(At(f, pos + n, end)))
        {
            if (IsCrLf(cp[pos + n])) lastLineBreak = pos + n + 1;
            n++;
        }
        if (lineBreaks && lastLineBreak >= 0) return lastLineBreak - pos;
        if (n > 1 && pos + n < end) return n - 1; // leave the last space to prefix the next word
        return n;
    }
}

/// <summary>GPT-2: <c>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</c>.</summary>
internal sealed class Gpt2Rule : SplitRule
{
    public override int Match(ReadOnlySpan<int> cp, ReadOnlySpan<CharFlags> f, int pos, int end)
    {
        int c = cp[pos];
        if (c == '\'' && pos + 1 < end)
        {
            int n1 = cp[pos + 1];
            if (n1 is 's' or 't' or 'm' or 'd') return 2;
            if (pos + 2 < end)
            {
                int n2 = cp[pos + 2];
                if ((n1 == 'r' && n2 == 'e') || (n1 == 'v' && n2 == 'e') || (n1 == 'l' && n2 == 'l')) return 3;
            }
        }
        int first = pos + (c == ' ' ? 1 : 0);
        var f2 = At(f, first, end);
        foreach (var cls in (ReadOnlySpan<CharFlags>)[CharFlags.Letter, CharFlags.Number])
        {
            if ((f2 & cls) == 0) continue;
            int p = first;
            while ((At(f, p, end) & cls) != 0) p++;
            return p - pos;
        }
        const CharFlags wordish = CharFlags.Whitespace | CharFlags.Letter | CharFlags.Number;
        if ((f2 & wordish) == 0 && f2 != CharFlags.None)
        {
            int p = first;
            while ((At(f, p, end) & wordish) == 0 && At(f, p, end) != CharFlags.None) p++;
            return p - pos;
        }
        int ws = MatchWhitespace(cp, f, pos, end, lineBreaks: false);
        return ws > 0 ? ws : 1;
    }
}

/// <summary>
/// Llama 3 (<paramref name="maxDigits"/> 3) and Qwen2 (1):
/// <c>(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+</c>.
/// With <paramref name="marks"/> (Qwen3.5) letter runs also take combining marks: <c>[\p{L}\p{M}]+</c>, and the
/// punctuation run excludes them: <c> ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*</c>.
/// </summary>
internal sealed class Llama3Rule(int maxDigits, bool marks = false) : SplitRule
{
    private readonly CharFlags _letter = marks ? CharFlags.Letter | CharFlags.Mark : CharFlags.Letter;

    public override int Match(ReadOnlySpan<int> cp, ReadOnlySpan<CharFlags> f, int pos, int end)
    {
        int c = cp[pos];
        var fl = f[pos];
        if (c == '\'' && pos + 1 < end)
        {
            int n1 = cp[pos + 1] | 0x20; // ASCII case folding; no other letter folds onto these
            if (n1 is 's' or 't' or 'm' or 'd' && cp[pos + 1] < 128) return 2;
            if (pos + 2 < end && cp[pos + 1] < 128 && cp[pos + 2] < 128)
            {
                int n2 = cp[pos + 2] | 0x20;
                if ((n1 == 'r' && n2 == 'e') || (n1 == 'v' && n2 == 'e') || (n1 == 'l' && n2 == 'l')) return 3;
            }
        }
        if (!IsCrLf(c) && (fl & CharFlags.Number) == 0 && ((fl & _letter) != 0 || (At(f, pos + 1, end) & _letter) != 0))
        {
            int p = pos + 1;
            while ((At(f, p, end) & _letter) != 0) p++;
            return p - pos;
        }
        if ((fl & CharFlags.Number) != 0)
        {
            int p = pos;
            while (p - pos < maxDigits && (At(f, p, end) & CharFlags.Number) != 0) p++;
            return p - pos;
        }
        var wordish = CharFlags.Whitespace | CharFlags.Number | _letter;
        int first = pos + (c == ' ' ? 1 : 0);
        var f2 = At(f, first, end);
        if ((f2 & wordish) == 0 && (f2 != CharFlags.None || c == ' '))
        {
            int p = first;
            while ((At(f, p, end) & wordish) == 0 && At(f, p, end) != CharFlags.None) p++;
            while (p < end && IsCrLf(cp[p])) p++;
            return p - pos;
        }
        int ws = MatchWhitespace(cp, f, pos, end, lineBreaks: true);
        return ws > 0 ? ws : 1;
    }
}
