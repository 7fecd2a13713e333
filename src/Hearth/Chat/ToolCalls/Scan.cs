using System.Text.Json;

namespace Hearth.Chat.ToolCalls;

/// <summary>Outcome of matching a piece of syntax against text that may still be growing.</summary>
internal enum ScanStatus
{
    /// <summary>Matched; the position moved past it.</summary>
    Ok,

    /// <summary>The text ends in what could still become a match: wait for more.</summary>
    More,

    /// <summary>Cannot match, whatever follows.</summary>
    Fail,
}

/// <summary>
/// Small matchers over a string that is a prefix of the final output. Each returns <see cref="ScanStatus.More"/> when
/// the text ends before the syntax is decided, unless <c>final</c> (the output is complete), when that becomes a failure.
/// </summary>
internal static class Scan
{
    public static void SkipWhitespace(string s, ref int p)
    {
        while (p < s.Length && char.IsWhiteSpace(s[p])) p++;
    }

    /// <summary>Matches <paramref name="literal"/> at <paramref name="p"/>.</summary>
    public static ScanStatus Literal(string s, ref int p, string literal, bool final)
    {
        int n = Math.Min(literal.Length, s.Length - p);
        if (string.CompareOrdinal(s, p, literal, 0, n) != 0) return ScanStatus.Fail;
        if (n < literal.Length) return final ? ScanStatus.Fail : ScanStatus.More;
        p += literal.Length;
        return ScanStatus.Ok;
    }

    /// <summary>
    /// Matches whichever of <paramref name="options"/> is at <paramref name="p"/>; <paramref name="which"/> is its
    /// index. While a longer option may still match, waits, so a prefix option never wins too early.
    /// </summary>
    public static ScanStatus AnyLiteral(string s, ref int p, string[] options, bool final, out int which)
    {
        bool more = false;
        which = -1;
        int end = p;
        for (int i = 0; i < options.Length; i++)
        {
            int q = p;
            var r = Literal(s, ref q, options[i], final);
            if (r == ScanStatus.Ok && which < 0)
            {
                which = i;
                end = q;
            }
            more |= r == ScanStatus.More;
        }
        if (more) return ScanStatus.More;
        if (which < 0) return ScanStatus.Fail;
        p = end;
        return ScanStatus.Ok;
    }

    /// <summary>Reads a JSON string literal (quotes included in the scan) and decodes it.</summary>
    public static ScanStatus JsonString(string s, ref int p, bool final, out string value)
    {
        value = "";
        if (p >= s.Length) return final ? ScanStatus.Fail : ScanStatus.More;
        if (s[p] != '"') return ScanStatus.Fail;
        for (int i = p + 1; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '\\')
            {
                i++;
                continue;
            }
            if (c < 0x20) return ScanStatus.Fail;
            if (c != '"') continue;
            try
            {
                value = JsonSerializer.Deserialize<string>(s.AsSpan(p, i + 1 - p)) ?? "";
            }
            catch (JsonException)
            {
                return ScanStatus.Fail; // a bad escape
            }
            p = i + 1;
            return ScanStatus.Ok;
        }
        return final ? ScanStatus.Fail : ScanStatus.More;
    }

    /// <summary>
    /// Reads text up to (not including) the first of <paramref name="terminators"/>; fails if more than
    /// <paramref name="maxLength"/> characters come first or a character outside function-name characters appears
    /// (so text that is not a call is released quickly instead of being held back).
    /// </summary>
    public static ScanStatus Name(string s, ref int p, string[] terminators, int maxLength, bool final, out string name, out int which)
    {
        name = "";
        which = -1;
        for (int i = p; i < s.Length; i++)
        {
            int q = i;
            var r = AnyLiteral(s, ref q, terminators, final, out which);
            if (r == ScanStatus.Ok)
            {
                name = s[p..i];
                if (name.Length == 0) return ScanStatus.Fail;
                p = i;
                return ScanStatus.Ok;
            }
            if (r == ScanStatus.More) return ScanStatus.More;
            if (i - p >= maxLength || !IsNameChar(s[i])) return ScanStatus.Fail;
        }
        return final ? ScanStatus.Fail : ScanStatus.More;
    }

    public static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ':';

    /// <summary>Skips one complete JSON value (object, array, string, number or literal).</summary>
    public static ScanStatus JsonValue(string s, ref int p, bool final)
    {
        if (p >= s.Length) return final ? ScanStatus.Fail : ScanStatus.More;
        char c = s[p];
        if (c == '"') return JsonString(s, ref p, final, out _);
        if (c is '{' or '[')
        {
            var scanner = new JsonObjectScanner();
            int end = scanner.Feed(s, p);
            if (end < 0) return final ? ScanStatus.Fail : ScanStatus.More;
            p = end;
            return ScanStatus.Ok;
        }
        int i = p;
        while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] is '-' or '+' or '.')) i++;
        if (i == p) return ScanStatus.Fail;
        if (i == s.Length && !final) return ScanStatus.More; // a number may go on
        p = i;
        return ScanStatus.Ok;
    }

    /// <summary>Skips members <c>, "key": value</c> that follow the arguments inside a call object (e.g. Mistral's <c>"id"</c>).</summary>
    public static ScanStatus ExtraMembers(string s, ref int p, bool final)
    {
        while (true)
        {
            SkipWhitespace(s, ref p);
            if (p >= s.Length) return final ? ScanStatus.Fail : ScanStatus.More;
            if (s[p] != ',') return ScanStatus.Ok;
            int q = p + 1;
            SkipWhitespace(s, ref q);
            var r = JsonString(s, ref q, final, out _);
            if (r != ScanStatus.Ok) return r;
            SkipWhitespace(s, ref q);
            if ((r = Literal(s, ref q, ":", final)) != ScanStatus.Ok) return r;
            SkipWhitespace(s, ref q);
            if ((r = JsonValue(s, ref q, final)) != ScanStatus.Ok) return r;
            p = q;
        }
    }

    /// <summary>
    /// Matches the start of a JSON call object up to its arguments: <c>{"name": "NAME", "arguments": </c>, with other
    /// members (e.g. <c>"type": "function"</c>) allowed before the arguments. The name must come before the arguments,
    /// which is how every supported template writes it, so the name can be streamed first. On success
    /// <paramref name="p"/> is at the arguments' opening brace.
    /// </summary>
    public static ScanStatus JsonCallHead(string s, ref int p, bool final, string[] argumentKeys, out string name)
    {
        name = "";
        string? found = null;
        var r = Literal(s, ref p, "{", final);
        if (r != ScanStatus.Ok) return r;
        while (true)
        {
            SkipWhitespace(s, ref p);
            if ((r = JsonString(s, ref p, final, out string key)) != ScanStatus.Ok) return r;
            SkipWhitespace(s, ref p);
            if ((r = Literal(s, ref p, ":", final)) != ScanStatus.Ok) return r;
            SkipWhitespace(s, ref p);
            if (key == "name")
            {
                if ((r = JsonString(s, ref p, final, out string n)) != ScanStatus.Ok) return r;
                if (n.Length == 0) return ScanStatus.Fail;
                found = n;
            }
            else if (Array.IndexOf(argumentKeys, key) >= 0)
            {
                if (found is null) return ScanStatus.Fail;
                if (p >= s.Length) return final ? ScanStatus.Fail : ScanStatus.More;
                if (s[p] != '{') return ScanStatus.Fail;
                name = found;
                return ScanStatus.Ok;
            }
            else if ((r = JsonValue(s, ref p, final)) != ScanStatus.Ok)
            {
                return r;
            }
            SkipWhitespace(s, ref p);
            if ((r = Literal(s, ref p, ",", final)) != ScanStatus.Ok) return r;
        }
    }

    /// <summary>
    /// Where the earliest of <paramref name="markers"/> starts at or after <paramref name="from"/>, or (when none does
    /// and not <paramref name="final"/>) where a suffix of the text is a proper prefix of one of them.
    /// </summary>
    public static StartMatch FindMarker(string s, int from, string[] markers, bool final)
    {
        int best = -1, kind = -1;
        for (int i = 0; i < markers.Length; i++)
        {
            int idx = s.IndexOf(markers[i], from, StringComparison.Ordinal);
            if (idx >= 0 && (best < 0 || idx < best))
            {
                best = idx;
                kind = i;
            }
        }
        if (best >= 0) return new StartMatch(best, markers[kind].Length, kind, Partial: false);
        if (final) return StartMatch.None;
        int partial = -1;
        foreach (var m in markers)
        {
            for (int n = Math.Min(s.Length - from, m.Length - 1); n > 0; n--)
            {
                if (string.CompareOrdinal(s, s.Length - n, m, 0, n) == 0)
                {
                    int at = s.Length - n;
                    if (partial < 0 || at < partial) partial = at;
                    break;
                }
            }
        }
        return partial >= 0 ? new StartMatch(partial, 0, -1, Partial: true) : StartMatch.None;
    }
}
