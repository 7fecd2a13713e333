using System.Globalization;

namespace Hearth.Sampling;

/// <summary>
/// Parses llama.cpp's GBNF grammar format: <c>name ::= alternatives</c> rules; string literals, character classes
/// (<c>[a-z]</c>, <c>[^"\\]</c>), <c>.</c>, rule references and parenthesised groups; postfix <c>* + ? {m} {m,} {m,n}</c>;
/// escapes <c>\x.. \u.... \U........ \t \n \r</c>; <c>#</c> comments. A rule ends at a newline unless inside
/// parentheses or right after <c>::=</c> or <c>|</c> (a following line that starts with <c>|</c> also continues it).
/// Repetitions become generated rules as in llama.cpp (<c>x*</c> → <c>r ::= x r |</c>).
/// </summary>
internal sealed class GbnfParser
{
    private const int MaxRepetition = 10_000;

    private readonly string _src;
    private int _pos;
    private readonly Dictionary<string, int> _symbols = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];
    private readonly List<List<GrammarElement>?> _bodies = [];
    private readonly List<int> _firstUse = [];   // source offset of a symbol's first reference
    private readonly List<int> _definedAt = [];  // source offset of a symbol's definition, or -1
    private readonly List<CharClass> _classes = [];

    private GbnfParser(string src) => _src = src;

    public static Grammar Parse(string src, string rootRule)
    {
        ArgumentNullException.ThrowIfNull(src);
        var p = new GbnfParser(src);
        p.ParseRules();
        return p.Compile(rootRule);
    }

    private bool AtEnd => _pos >= _src.Length;
    private char Peek => _pos < _src.Length ? _src[_pos] : '\0';

    private GrammarFormatException Error(string message, int? at = null)
    {
        int offset = Math.Min(at ?? _pos, _src.Length);
        int line = 1, col = 1;
        for (int i = 0; i < offset; i++)
        {
            if (_src[i] == '\n') { line++; col = 1; }
            else col++;
        }
        return new GrammarFormatException(message, line, col);
    }

    private void ParseRules()
    {
        SkipSpace(true);
        if (AtEnd) throw Error("the grammar is empty; expected at least a 'root ::= ...' rule.");
        while (!AtEnd)
        {
            int at = _pos;
            if (!IsWordChar(Peek)) throw Error($"expected a rule name, found '{Describe(Peek)}'.");
            string name = ParseName();
            SkipSpace(false);
            if (!_src.AsSpan(_pos).StartsWith("::=", StringComparison.Ordinal))
                throw Error($"expected '::=' after rule name '{name}'.");
            _pos += 3;
            SkipSpace(true);
            int id = Symbol(name, at);
            if (_definedAt[id] >= 0) throw Error($"rule '{name}' is defined twice.", at);
            _definedAt[id] = at;
            ParseAlternates(name, id, nested: false);
            if (!AtEnd && Peek != '\n' && Peek != '\r')
                throw Error($"unexpected '{Describe(Peek)}' in rule '{name}'.");
            SkipSpace(true);
        }
    }

    private void ParseAlternates(string ruleName, int id, bool nested)
    {
        var body = new List<GrammarElement>();
        ParseSequence(ruleName, body, nested);
        while (true)
        {
            int save = _pos;
            if (!nested) SkipSpace(true); // a new line starting with '|' continues the rule
            if (Peek != '|') { _pos = save; break; }
            _pos++;
            body.Add(new GrammarElement(GrammarElementKind.Alt, 0));
            SkipSpace(true);
            ParseSequence(ruleName, body, nested);
        }
        body.Add(new GrammarElement(GrammarElementKind.End, 0));
        _bodies[id] = body;
    }

    private void ParseSequence(string ruleName, List<GrammarElement> output, bool nested)
    {
        int lastStart = -1;
        while (!AtEnd)
        {
            char c = Peek;
            int at = _pos;
            if (c == '"')
            {
                _pos++;
                lastStart = output.Count;
                while (Peek != '"')
                {
                    if (AtEnd || Peek == '\n') throw Error("unterminated string literal.", at);
                    int cp = ParseChar();
                    output.Add(CharElement([(cp, cp)], false));
                }
                _pos++;
            }
            else if (c == '[')
            {
                _pos++;
                bool negated = false;
                if (Peek == '^') { negated = true; _pos++; }
                var ranges = new List<(int, int)>();
                while (Peek != ']')
                {
                    if (AtEnd || Peek == '\n') throw Error("unterminated character class.", at);
                    int lo = ParseChar();
                    int hi = lo;
                    if (Peek == '-' && _pos + 1 < _src.Length && _src[_pos + 1] != ']')
                    {
                        _pos++;
                        int rangeAt = _pos;
                        hi = ParseChar();
                        if (hi < lo) throw Error($"character range is reversed (U+{lo:X4} > U+{hi:X4}).", rangeAt);
                    }
                    ranges.Add((lo, hi));
                }
                _pos++;
                lastStart = output.Count;
                output.Add(CharElement(ranges, negated));
            }
            else if (c == '.')
            {
                _pos++;
                lastStart = output.Count;
                output.Add(CharElement([(0, CharClass.MaxCodePoint)], false));
            }
            else if (IsWordChar(c))
            {
                string name = ParseName();
                lastStart = output.Count;
                output.Add(new GrammarElement(GrammarElementKind.RuleRef, Symbol(name, at)));
            }
            else if (c == '(')
            {
                _pos++;
                SkipSpace(true);
                int sub = NewSymbol(ruleName);
                ParseAlternates(ruleName, sub, nested: true);
                SkipSpace(true);
                if (Peek != ')') throw Error(AtEnd ? "missing ')' for the group opened here." : $"expected ')' or '|', found '{Describe(Peek)}'.", AtEnd ? at : null);
                _pos++;
                lastStart = output.Count;
                output.Add(new GrammarElement(GrammarElementKind.RuleRef, sub));
            }
            else if (c is '*' or '+' or '?')
            {
                if (lastStart < 0) throw Error($"'{c}' must follow an item to repeat.");
                _pos++;
                Repeat(ruleName, output, lastStart, c == '+' ? 1 : 0, c == '?' ? 1 : -1);
                lastStart = -1;
            }
            else if (c == '{')
            {
                if (lastStart < 0) throw Error("'{' must follow an item to repeat.");
                _pos++;
                SkipSpace(nested);
                int min = ParseInt(), max = min;
                SkipSpace(nested);
                if (Peek == ',')
                {
                    _pos++;
                    SkipSpace(nested);
                    max = char.IsAsciiDigit(Peek) ? ParseInt() : -1;
                    SkipSpace(nested);
                }
                if (Peek != '}') throw Error("expected '}' to close the repetition count.");
                _pos++;
                if (max >= 0 && max < min) throw Error($"repetition maximum {max} is below its minimum {min}.", at);
                Repeat(ruleName, output, lastStart, min, max);
                lastStart = -1;
            }
            else break;
            SkipSpace(nested);
        }
    }

    /// <summary>Replaces the item starting at <paramref name="start"/> by min copies plus optional ones (max -1: unbounded).</summary>
    private void Repeat(string ruleName, List<GrammarElement> output, int start, int min, int max)
    {
        var item = output.GetRange(start, output.Count - start);
        output.RemoveRange(start, output.Count - start);
        for (int i = 0; i < min; i++) output.AddRange(item);
        if (max < 0)
        {
            // r ::= item r |   (right recursion: the matcher does not grow its stack on it)
            int rec = NewSymbol(ruleName);
            var body = new List<GrammarElement>(item) { new(GrammarElementKind.RuleRef, rec), new(GrammarElementKind.Alt, 0), new(GrammarElementKind.End, 0) };
            _bodies[rec] = body;
            output.Add(new GrammarElement(GrammarElementKind.RuleRef, rec));
        }
        else if (max > min)
        {
            // (item (item (item)?)?)? for the max - min optional copies
            int last = -1;
            for (int k = 0; k < max - min; k++)
            {
                int id = NewSymbol(ruleName);
                var body = new List<GrammarElement>(item);
                if (last >= 0) body.Add(new GrammarElement(GrammarElementKind.RuleRef, last));
                body.Add(new GrammarElement(GrammarElementKind.Alt, 0));
                body.Add(new GrammarElement(GrammarElementKind.End, 0));
                _bodies[id] = body;
                last = id;
            }
            output.Add(new GrammarElement(GrammarElementKind.RuleRef, last));
        }
    }

    private GrammarElement CharElement(List<(int, int)> ranges, bool negated)
    {
        _classes.Add(CharClass.From(ranges, negated));
        return new GrammarElement(GrammarElementKind.Char, _classes.Count - 1);
    }

    private int ParseInt()
    {
        int start = _pos;
        while (char.IsAsciiDigit(Peek)) _pos++;
        if (start == _pos) throw Error("expected a number in the repetition count.");
        if (!int.TryParse(_src.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n > MaxRepetition)
            throw Error($"repetition count is larger than {MaxRepetition}.", start);
        return n;
    }

    /// <summary>One code point of a literal or class, with escapes.</summary>
    private int ParseChar()
    {
        int at = _pos;
        char c = _src[_pos++];
        if (c != '\\')
        {
            if (char.IsHighSurrogate(c) && _pos < _src.Length && char.IsLowSurrogate(_src[_pos]))
                return char.ConvertToUtf32(c, _src[_pos++]);
            return c;
        }
        if (AtEnd) throw Error("escape at the end of the grammar.", at);
        char e = _src[_pos++];
        return e switch
        {
            'x' => ParseHex(2, at),
            'u' => ParseHex(4, at),
            'U' => ParseHex(8, at),
            't' => '\t',
            'n' => '\n',
            'r' => '\r',
            '\\' or '"' or '[' or ']' or '-' or '^' or '/' or '\'' or '.' => e,
            _ => throw Error($"unknown escape '\\{Describe(e)}'.", at),
        };
    }

    private int ParseHex(int digits, int at)
    {
        if (_pos + digits > _src.Length || !int.TryParse(_src.AsSpan(_pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int v))
            throw Error($"expected {digits} hex digits after '{_src.Substring(at, 2)}'.", at);
        if (v is < 0 or > CharClass.MaxCodePoint) throw Error($"code point {_src.Substring(at, digits + 2)} is beyond U+10FFFF.", at);
        _pos += digits;
        return v;
    }

    private string ParseName()
    {
        int start = _pos;
        while (IsWordChar(Peek)) _pos++;
        return _src[start.._pos];
    }

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';

    private static string Describe(char c) => c switch { '\0' => "end of input", '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", _ => c.ToString() };

    private void SkipSpace(bool newlines)
    {
        while (!AtEnd)
        {
            char c = Peek;
            if (c is ' ' or '\t' || (newlines && c is '\n' or '\r')) _pos++;
            else if (c == '#')
            {
                while (!AtEnd && Peek != '\n') _pos++;
            }
            else break;
        }
    }

    private int Symbol(string name, int at)
    {
        if (_symbols.TryGetValue(name, out int id)) return id;
        id = AddSymbol(name, at);
        _symbols[name] = id;
        return id;
    }

    private int NewSymbol(string baseName)
    {
        int id = AddSymbol($"{baseName}_{_names.Count}", _pos);
        _definedAt[id] = _pos;
        return id;
    }

    private int AddSymbol(string name, int at)
    {
        _names.Add(name);
        _bodies.Add(null);
        _firstUse.Add(at);
        _definedAt.Add(-1);
        return _names.Count - 1;
    }

    private Grammar Compile(string rootRule)
    {
        for (int i = 0; i < _names.Count; i++)
            if (_bodies[i] == null) throw Error($"undefined rule '{_names[i]}'.", _firstUse[i]);
        if (!_symbols.TryGetValue(rootRule, out int root))
            throw new GrammarFormatException($"The grammar has no rule named '{rootRule}' to start from.");

        var elements = new List<GrammarElement>();
        var ruleStart = new int[_names.Count];
        var altStarts = new int[_names.Count][];
        for (int r = 0; r < _names.Count; r++)
        {
            ruleStart[r] = elements.Count;
            var alts = new List<int> { elements.Count };
            foreach (var e in _bodies[r]!)
            {
                elements.Add(e);
                if (e.Kind == GrammarElementKind.Alt) alts.Add(elements.Count);
            }
            altStarts[r] = [.. alts];
        }
        var g = new Grammar(_src, [.. elements], altStarts, [.. _classes], [.. _names], root);
        CheckLeftRecursion(g);
        return g;
    }

    /// <summary>llama.cpp rejects left recursion too: expanding such a rule would never reach a character.</summary>
    private void CheckLeftRecursion(Grammar g)
    {
        int n = _names.Count;
        var nullable = new bool[n];
        for (bool changed = true; changed;)
        {
            changed = false;
            for (int r = 0; r < n; r++)
            {
                if (nullable[r]) continue;
                foreach (int a in g.AltStarts[r])
                {
                    int p = a;
                    while (g.Elements[p].Kind == GrammarElementKind.RuleRef && nullable[g.Elements[p].Arg]) p++;
                    if (g.Elements[p].IsEndOfSequence) { nullable[r] = true; changed = true; break; }
                }
            }
        }
        var state = new byte[n]; // 0 new, 1 on the path, 2 done
        var path = new List<int>();
        for (int r = 0; r < n; r++) Visit(r);

        void Visit(int r)
        {
            if (state[r] == 2) return;
            if (state[r] == 1)
            {
                var cycle = path.Skip(path.IndexOf(r)).Append(r).Select(i => _names[i]);
                throw Error($"rule '{_names[r]}' is left-recursive ({string.Join(" -> ", cycle)}); rewrite it with repetition.", _definedAt[r] >= 0 ? _definedAt[r] : _firstUse[r]);
            }
            state[r] = 1;
            path.Add(r);
            foreach (int a in g.AltStarts[r])
            {
                for (int p = a; g.Elements[p].Kind == GrammarElementKind.RuleRef; p++)
                {
                    Visit(g.Elements[p].Arg);
                    if (!nullable[g.Elements[p].Arg]) break;
                }
            }
            path.RemoveAt(path.Count - 1);
            state[r] = 2;
        }
    }
}
