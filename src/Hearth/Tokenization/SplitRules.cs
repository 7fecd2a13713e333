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

/// <summary>
/// GPT-4o (o200k; gpt-oss, Llama 4) and, with <paramref name="contractions"/> off and one digit, Mistral's Tekken:
/// <c>[^\r\n\p{L}\p{N}]?U*W+C?|[^\r\n\p{L}\p{N}]?U+W*C?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+</c>,
/// where C is an optional contraction (<c>'s</c>, <c>'t</c>, <c>'re</c>, <c>'ve</c>, <c>'m</c>, <c>'ll</c>, <c>'d</c>,
/// either case). llama.cpp writes U as <c>(?=\p{L})[^a-z]</c> and W as <c>(?=\p{L})[^A-Z]</c> and runs them on text
/// whose non-ASCII letters all read as one "letter" byte, so only ASCII letters have a case there: U is any letter
/// but a-z, W any letter but A-Z, and a non-ASCII letter is both.
/// </summary>
internal sealed class Gpt4oRule(bool contractions = true, int maxDigits = 3) : SplitRule
{
    private static bool IsLetter(CharFlags f) => (f & (CharFlags.Letter | CharFlags.Whitespace)) == CharFlags.Letter;

    private static bool IsNumber(CharFlags f) => (f & (CharFlags.Number | CharFlags.Whitespace)) == CharFlags.Number;

    private static bool IsUpper(int c, CharFlags f) => IsLetter(f) && c is not (>= 'a' and <= 'z');

    private static bool IsLowerCase(int c, CharFlags f) => IsLetter(f) && c is not (>= 'A' and <= 'Z');

    public override int Match(ReadOnlySpan<int> cp, ReadOnlySpan<CharFlags> f, int pos, int end)
    {
        int c = cp[pos];
        var fl = f[pos];

        // The two letter alternatives, after an optional character that is no line break, letter or number.
        int q = IsLetter(fl) ? pos : !IsCrLf(c) && !IsNumber(fl) && pos + 1 < end && IsLetter(f[pos + 1]) ? pos + 1 : -1;
        if (q >= 0)
        {
            int r = q;
            while (r < end && IsUpper(cp[r], f[r])) r++;
            int e;
            if (r < end && cp[r] is >= 'a' and <= 'z')
            {
                // U* takes the whole run, W+ the lower-case letters after it.
                e = r;
                while (e < end && IsLowerCase(cp[e], f[e])) e++;
            }
            else
            {
                // W+ must start inside the U run: at its last non-ASCII letter (one letter, as an A-Z or the run's
                // end follows); with none, U+ takes the run (all A-Z) and W* nothing.
                int j = r - 1;
                while (j >= q && cp[j] < 128) j--;
                e = j >= q ? j + 1 : r;
            }
            return Contraction(cp, e, end) + e - pos;
        }

        if (IsNumber(fl))
        {
            int p = pos;
            while (p - pos < maxDigits && p < end && IsNumber(f[p])) p++;
            return p - pos;
        }

        int first = c == ' ' && pos + 1 < end && IsOther(f[pos + 1]) ? pos + 1 : pos;
        if (IsOther(f[first]))
        {
            int p = first;
            while (p < end && IsOther(f[p])) p++;
            while (p < end && (IsCrLf(cp[p]) || cp[p] == '/')) p++;
            return p - pos;
        }
        int ws = MatchWhitespace(cp, f, pos, end, lineBreaks: true);
        return ws > 0 ? ws : 1;
    }

    /// <summary><c>[^\s\p{L}\p{N}]</c>.</summary>
    private static bool IsOther(CharFlags f) => (f & (CharFlags.Whitespace | CharFlags.Letter | CharFlags.Number)) == 0;

    private int Contraction(ReadOnlySpan<int> cp, int p, int end)
    {
        if (!contractions || p + 1 >= end || cp[p] != '\'') return 0;
        int n1 = cp[p + 1];
        if (n1 >= 128) return 0;
        n1 |= 0x20;
        if (n1 is 's' or 't' or 'm' or 'd') return 2;
        if (p + 2 >= end || cp[p + 2] >= 128) return 0;
        int n2 = cp[p + 2] | 0x20;
        return (n1 == 'r' && n2 == 'e') || (n1 == 'v' && n2 == 'e') || (n1 == 'l' && n2 == 'l') ? 3 : 0;
    }
}
