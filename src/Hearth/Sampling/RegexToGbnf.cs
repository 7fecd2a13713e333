using System.Globalization;
using System.Text;

namespace Hearth.Sampling;

/// <summary>
/// Compiles a JSON Schema <c>pattern</c> (an ECMA-262 regular expression) to a GBNF expression for the JSON string
/// literal whose value matches it: quotes included, characters the regex allows written as JSON writes them
/// (<c>"</c>, <c>\</c> and control characters escaped). As JSON Schema says, a pattern matches anywhere in the string
/// unless anchored: an alternative without a leading <c>^</c> may be preceded by any characters, one without a
/// trailing <c>$</c> followed by any.
/// <para>
/// Supported: literals; <c>.</c> (anything but a line terminator); classes <c>[a-z]</c>, <c>[^...]</c>;
/// <c>\d \w \s</c> and their negations (ASCII sets, as .NET's <c>RegexOptions.ECMAScript</c>: <c>\s</c> is
/// <c>[ \t\n\v\f\r]</c>); escapes <c>\n \r \t \f \v \0 \xHH \uHHHH</c> and escaped punctuation; groups
/// <c>( )</c>, <c>(?: )</c>, <c>(?&lt;name&gt; )</c>; alternation; quantifiers <c>? * + {m} {m,} {m,n}</c> (lazy
/// <c>?</c> suffix accepted: it does not change which strings match); anchors <c>^</c> and <c>$</c> at the start and
/// end of a top-level alternative. Anything else (lookaround, backreferences, <c>\b</c>, <c>\p{...}</c>, inline
/// flags, anchors inside groups) is a <see cref="GrammarFormatException"/> naming the feature. Characters past U+FFFF
/// match only where the pattern names them literally (see <see cref="Complement"/>).
/// </para>
/// </summary>
internal sealed class RegexToGbnf
{
    /// <summary>Code point ranges, sorted and disjoint.</summary>
    private readonly record struct Range(int Lo, int Hi);

    private static readonly Range[] Digit = [new('0', '9')];
    private static readonly Range[] Word = [new('0', '9'), new('A', 'Z'), new('_', '_'), new('a', 'z')];
    private static readonly Range[] Space = [new('\t', '\r'), new(' ', ' ')];
    private static readonly Range[] LineTerminators = [new('\n', '\n'), new('\r', '\r'), new(0x2028, 0x2029)];

    private readonly int[] _p; // the pattern as code points
    private readonly string _pattern;
    private readonly string _where;
    private int _i;

    private RegexToGbnf(string pattern, string where)
    {
        _pattern = pattern;
        _where = where;
        var cps = new List<int>(pattern.Length);
        foreach (var r in pattern.EnumerateRunes()) cps.Add(r.Value);
        _p = [.. cps];
    }

    /// <summary>
    /// The GBNF expression for a JSON string (quotes included) whose value matches <paramref name="pattern"/>.
    /// <paramref name="anyChar"/> is the rule name of one JSON string character (plain or escaped), used for the
    /// unanchored ends. <paramref name="where"/> names the schema location for error messages.
    /// </summary>
    public static string Convert(string pattern, string anyChar, string where)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var c = new RegexToGbnf(pattern, where);
        var alts = new List<string>();
        do
        {
            bool start = c.Peek('^');
            if (start) c._i++;
            var (seq, end) = c.Sequence(topLevel: true);
            alts.Add($"{(start ? "" : anyChar + "* ")}{seq}{(end ? "" : " " + anyChar + "*")}");
        }
        while (c.Eat('|'));
        if (c._i < c._p.Length) throw c.Error(c._p[c._i] == ')' ? "an unmatched ')'" : $"'{char.ConvertFromUtf32(c._p[c._i])}'");
        return $"\"\\\"\" ( {string.Join(" | ", alts)} ) \"\\\"\"";
    }

    private bool Peek(int ch) => _i < _p.Length && _p[_i] == ch;

    private bool Eat(int ch)
    {
        if (!Peek(ch)) return false;
        _i++;
        return true;
    }

    private GrammarFormatException Error(string feature, string? hint = null) => new(
        $"JSON schema 'pattern' at {_where}: {feature} at position {Position()} of /{_pattern}/ is not supported for constrained decoding" +
        (hint is null ? "." : $"; {hint}."));

    // position in UTF-16 units, as people count characters in the pattern text
    private int Position()
    {
        int units = 0;
        for (int k = 0; k < _i && k < _p.Length; k++) units += _p[k] > 0xFFFF ? 2 : 1;
        return units;
    }

    /// <summary>Alternatives up to a ')' or the end.</summary>
    private string Alternation()
    {
        var alts = new List<string>();
        do alts.Add(Sequence(topLevel: false).Gbnf);
        while (Eat('|'));
        return alts.Count == 1 ? alts[0] : "( " + string.Join(" | ", alts) + " )";
    }

    private (string Gbnf, bool EndAnchor) Sequence(bool topLevel)
    {
        var parts = new List<string>();
        while (_i < _p.Length && _p[_i] != '|' && _p[_i] != ')')
        {
            if (_p[_i] == '$')
            {
                _i++;
                if (topLevel && (_i == _p.Length || _p[_i] == '|')) return (Join(parts), true);
                _i--;
                throw Error("'$' before the end of the pattern", "anchors are supported only at the start and end of a top-level alternative");
            }
            if (_p[_i] == '^') throw Error("'^' after the start of the pattern", "anchors are supported only at the start and end of a top-level alternative");
            bool group = Peek('(');
            string atom = Atom();
            parts.Add(Quantified(atom, group));
        }
        return (Join(parts), false);
    }

    private static string Join(List<string> parts) => parts.Count == 0 ? "\"\"" : string.Join(" ", parts);

    private string Quantified(string atom, bool group)
    {
        string? q = null;
        if (Eat('?')) q = "?";
        else if (Eat('*')) q = "*";
        else if (Eat('+')) q = "+";
        else if (Peek('{') && Braces() is { } braces) q = braces;
        if (q is null) return atom;
        Eat('?'); // lazy: the same strings match
        if (_i < _p.Length && _p[_i] is '?' or '*' or '+' || (Peek('{') && BracesAhead())) throw Error("a quantifier after a quantifier");
        return group ? atom + q : $"( {atom} ){q}";
    }

    /// <summary>Parses <c>{m}</c>, <c>{m,}</c> or <c>{m,n}</c> at the cursor; null (cursor unmoved) when the brace is a literal.</summary>
    private string? Braces()
    {
        int save = _i;
        _i++;
        int? m = Number(), n = m;
        if (m is not null && Eat(','))
        {
            n = Peek('}') ? null : Number() ?? -1;
        }
        if (m is null || n == -1 || !Eat('}'))
        {
            _i = save;
            return null;
        }
        if (n < m) throw Error($"the quantifier {{{m},{n}}} (its maximum is below its minimum)");
        return n is null ? $"{{{m},}}" : n == m ? $"{{{m}}}" : $"{{{m},{n}}}";
    }

    private bool BracesAhead()
    {
        int save = _i;
        bool found = Braces() is not null;
        _i = save;
        return found;
    }

    private int? Number()
    {
        int start = _i;
        long v = 0;
        while (_i < _p.Length && _p[_i] is >= '0' and <= '9') v = Math.Min(v * 10 + (_p[_i++] - '0'), int.MaxValue);
        if (_i == start) return null;
        if (v > 100_000) throw Error($"a repetition count of {v}", "counts up to 100000 are supported");
        return (int)v;
    }

    private string Atom()
    {
        int ch = _p[_i];
        switch (ch)
        {
            case '(':
                _i++;
                if (Eat('?'))
                {
                    if (Eat(':')) { }
                    else if (Peek('=') || Peek('!')) throw Error("a lookahead '(?" + (char)_p[_i] + "'");
                    else if (Peek('<') && _i + 1 < _p.Length && _p[_i + 1] is '=' or '!') throw Error("a lookbehind '(?<" + (char)_p[_i + 1] + "'");
                    else if (Eat('<'))
                    {
                        while (_i < _p.Length && _p[_i] != '>') _i++;
                        if (!Eat('>')) throw Error("an unterminated group name");
                    }
                    else throw Error("inline flags or group syntax '(?" + (_i < _p.Length ? char.ConvertFromUtf32(_p[_i]) : "") + "'");
                }
                string inner = Alternation();
                if (!Eat(')')) throw Error("a group without ')'");
                return "( " + inner + " )";
            case '[':
                _i++;
                return Set(Class());
            case '.':
                _i++;
                return Set(Complement(LineTerminators));
            case '\\':
                _i++;
                return Set(Escape(inClass: false));
            case '?' or '*' or '+':
                throw Error($"a quantifier '{(char)ch}' with nothing to repeat");
            case '{' when BracesAhead():
                throw Error("a quantifier '{' with nothing to repeat");
            default:
                _i++;
                return Set([new(ch, ch)]);
        }
    }

    private Range[] Class()
    {
        bool negate = Eat('^');
        var ranges = new List<Range>();
        bool first = true;
        while (true)
        {
            if (_i >= _p.Length) throw Error("a character class without ']'");
            if (_p[_i] == ']' && !first) break;
            if (_p[_i] == ']' && first) throw Error("an empty character class '[]'");
            first = false;
            var lo = ClassAtom();
            if (Peek('-') && _i + 1 < _p.Length && _p[_i + 1] != ']')
            {
                _i++;
                var hi = ClassAtom();
                if (lo.Length != 1 || hi.Length != 1 || lo[0].Lo != lo[0].Hi || hi[0].Lo != hi[0].Hi)
                    throw Error("a range with a class escape as an end (like [\\d-z])");
                if (hi[0].Lo < lo[0].Lo) throw Error("a character range out of order");
                ranges.Add(new(lo[0].Lo, hi[0].Lo));
            }
            else ranges.AddRange(lo);
        }
        _i++; // ']'
        var set = Normalize(ranges);
        return negate ? Complement(set) : set;
    }

    private Range[] ClassAtom()
    {
        int ch = _p[_i++];
        return ch == '\\' ? Escape(inClass: true) : [new(ch, ch)];
    }

    private Range[] Escape(bool inClass)
    {
        if (_i >= _p.Length) throw Error("a trailing '\\'");
        int ch = _p[_i++];
        switch (ch)
        {
            case 'd': return Digit;
            case 'D': return Complement(Digit);
            case 'w': return Word;
            case 'W': return Complement(Word);
            case 's': return Space;
            case 'S': return Complement(Space);
            case 'n': return [new('\n', '\n')];
            case 'r': return [new('\r', '\r')];
            case 't': return [new('\t', '\t')];
            case 'f': return [new('\f', '\f')];
            case 'v': return [new('\v', '\v')];
            case 'b' when inClass: return [new('\b', '\b')];
            case 'b' or 'B': _i--; throw Error($"a word boundary '\\{(char)ch}'");
            case '0' when !(_i < _p.Length && _p[_i] is >= '0' and <= '9'): return [new(0, 0)];
            case >= '0' and <= '9': _i--; throw Error("a backreference or octal escape '\\" + (char)ch + "'");
            case 'k': _i--; throw Error("a named backreference '\\k'");
            case 'p' or 'P': _i--; throw Error($"a Unicode property escape '\\{(char)ch}'");
            case 'c': _i--; throw Error("a control escape '\\c'");
            case 'x': return [Hex(2)];
            case 'u':
                if (Peek('{')) { _i--; throw Error("a code point escape '\\u{...}'"); }
                return [Hex(4)];
        }
        if (ch < 128 && char.IsAsciiLetterOrDigit((char)ch)) { _i--; throw Error($"an unknown escape '\\{(char)ch}'"); }
        return [new(ch, ch)]; // escaped punctuation stands for itself
    }

    private Range Hex(int digits)
    {
        int v = 0;
        for (int k = 0; k < digits; k++)
        {
            int d = _i < _p.Length && _p[_i] < 128 ? System.Convert.ToInt32(HexValue((char)_p[_i])) : -1;
            if (d < 0) throw Error($"a malformed hex escape (expected {digits} hex digits)");
            v = v * 16 + d;
            _i++;
        }
        return new(v, v);

        static int HexValue(char c) => char.IsAsciiHexDigit(c) ? int.Parse(c.ToString(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) : -1;
    }

    private static Range[] Normalize(List<Range> ranges)
    {
        ranges.Sort((a, b) => a.Lo.CompareTo(b.Lo));
        var result = new List<Range>();
        foreach (var r in ranges)
        {
            if (result.Count > 0 && r.Lo <= result[^1].Hi + 1) result[^1] = new(result[^1].Lo, Math.Max(result[^1].Hi, r.Hi));
            else result.Add(r);
        }
        return [.. result];
    }

    /// <summary>
    /// Every BMP character not in <paramref name="set"/> (surrogates are never characters). Characters past U+FFFF are
    /// left out: ECMA-262 regexes without the 'u' flag see them as two UTF-16 units, so a negated class or '.' would
    /// match half of one; leaving them out keeps every generated string matching under either reading.
    /// </summary>
    private static Range[] Complement(Range[] set)
    {
        var result = new List<Range>();
        int next = 0;
        foreach (var r in Normalize([.. set, new(0xD800, 0xDFFF)]))
        {
            if (r.Lo > next) result.Add(new(next, r.Lo - 1));
            next = r.Hi + 1;
        }
        if (next <= 0xFFFF) result.Add(new(next, 0xFFFF));
        return [.. result];
    }

    /// <summary>
    /// GBNF for one character of the set as it appears inside a JSON string: characters JSON must escape
    /// (<c>"</c>, <c>\</c>, U+0000–U+001F) as their escapes, the rest as a character class.
    /// </summary>
    private static string Set(Range[] set)
    {
        var plain = new StringBuilder();
        var escaped = new List<string>();
        int plainCount = 0;
        foreach (var r in set)
        {
            for (int c = r.Lo; c <= Math.Min(r.Hi, 0x1F); c++) escaped.Add(EscapedLiteral(c));
            int lo = Math.Max(r.Lo, 0x20);
            if (lo > r.Hi) continue;
            // cut out '"' and '\'
            foreach (var (a, b) in Cut(lo, r.Hi))
            {
                plain.Append(ClassChar(a));
                if (b > a) plain.Append('-').Append(ClassChar(b));
                plainCount++;
            }
            if (lo <= '"' && '"' <= r.Hi) escaped.Add("\"\\\\\\\"\"");
            if (lo <= '\\' && '\\' <= r.Hi) escaped.Add("\"\\\\\\\\\"");
        }
        var alts = new List<string>();
        if (plainCount == 1 && set.Length == 1 && set[0].Lo == set[0].Hi) alts.Add(Literal(set[0].Lo));
        else if (plainCount > 0) alts.Add("[" + plain + "]");
        alts.AddRange(escaped);
        if (alts.Count == 0) throw new GrammarFormatException("A 'pattern' character class matches no character.");
        return alts.Count == 1 ? alts[0] : "( " + string.Join(" | ", alts) + " )";

        static IEnumerable<(int, int)> Cut(int lo, int hi)
        {
            int start = lo;
            foreach (int x in new[] { (int)'"', '\\' })
            {
                if (x < start || x > hi) continue;
                if (x > start) yield return (start, x - 1);
                start = x + 1;
            }
            if (start <= hi) yield return (start, hi);
        }
    }

    /// <summary>A GBNF literal of one character that JSON writes as itself.</summary>
    private static string Literal(int c) => "\"" + (c < 128 && c is not ('"' or '\\') ? ((char)c).ToString() : ClassChar(c)) + "\"";

    /// <summary>A control character's JSON escape as a GBNF literal (the short forms where JSON has them).</summary>
    private static string EscapedLiteral(int c) => c switch
    {
        '\n' => "\"\\\\n\"",
        '\r' => "\"\\\\r\"",
        '\t' => "\"\\\\t\"",
        '\b' => "\"\\\\b\"",
        '\f' => "\"\\\\f\"",
        _ => "\"\\\\u" + c.ToString("x4", CultureInfo.InvariantCulture) + "\"",
    };

    private static string ClassChar(int c) =>
        c < 128 && char.IsAsciiLetterOrDigit((char)c) ? ((char)c).ToString()
        : c <= 0xFFFF ? "\\u" + c.ToString("X4", CultureInfo.InvariantCulture)
        : "\\U" + c.ToString("X8", CultureInfo.InvariantCulture);
}
