using System.Globalization;
using System.Text;

namespace Hearth.Chat.Jinja;

/// <summary>
/// Splits a template into text and tag tokens the way Jinja2's lexer does with <c>trim_blocks=True</c>,
/// <c>lstrip_blocks=True</c> and <c>keep_trailing_newline=False</c> (the settings Hugging Face and llama.cpp
/// render chat templates with): newlines are normalized to <c>\n</c>, one trailing newline is dropped, the first
/// newline after a block/comment tag is removed, whitespace before a block/comment tag that starts a line is removed,
/// and <c>-</c>/<c>+</c> modifiers strip or keep whitespace around a tag.
/// </summary>
internal sealed class JinjaLexer
{
    private readonly string _src;
    private readonly int[] _lineStarts;
    private readonly List<JinjaToken> _tokens = [];
    private int _pos;
    private bool _stripNextText; // the previous tag ended with '-%}' / '-}}' / '-#}'
    private bool _lineStarting = true; // the previous tag's match ended with '\n' (Jinja2's line_starting)

    private JinjaLexer(string source)
    {
        _src = Normalize(source);
        var starts = new List<int> { 0 };
        for (int i = 0; i < _src.Length; i++) if (_src[i] == '\n') starts.Add(i + 1);
        _lineStarts = [.. starts];
    }

    public static List<JinjaToken> Tokenize(string source)
    {
        var lexer = new JinjaLexer(source);
        lexer.Run();
        return lexer._tokens;
    }

    /// <summary>Jinja2 joins the source's lines with '\n' and drops one trailing newline.</summary>
    private static string Normalize(string s)
    {
        if (s.Contains('\r', StringComparison.Ordinal)) s = s.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        return s.EndsWith('\n') ? s[..^1] : s;
    }

    private (int Line, int Column) Position(int offset)
    {
        int idx = Array.BinarySearch(_lineStarts, offset);
        if (idx < 0) idx = ~idx - 1;
        return (idx + 1, offset - _lineStarts[idx] + 1);
    }

    private JinjaException Error(string reason, int offset)
    {
        var (line, col) = Position(offset);
        return new JinjaException(reason, line, col);
    }

    private void Add(JinjaTokenKind kind, string text, int offset, object? value = null)
    {
        var (line, col) = Position(offset);
        _tokens.Add(new JinjaToken(kind, text, line, col, value));
    }

    private void Run()
    {
        while (_pos < _src.Length)
        {
            int tag = FindTagStart(_pos);
            string text = _src[_pos..(tag < 0 ? _src.Length : tag)];
            if (_stripNextText) text = text.TrimStart();
            _stripNextText = false;
            if (tag < 0)
            {
                if (text.Length > 0) Add(JinjaTokenKind.Text, text, _pos);
                _pos = _src.Length;
                break;
            }

            char kind = _src[tag + 1];
            char sign = tag + 2 < _src.Length ? _src[tag + 2] : '\0';
            if (sign == '-')
            {
                text = text.TrimEnd();
            }
            else if (sign != '+' && kind != '{')
            {
                // lstrip_blocks: drop the spaces/tabs between the line start and a block or comment tag.
                int lpos = text.LastIndexOf('\n') + 1;
                if ((lpos > 0 || _lineStarting) && lpos < text.Length && IsAllWhitespace(text.AsSpan(lpos)))
                    text = text[..lpos];
            }
            if (text.Length > 0) Add(JinjaTokenKind.Text, text, _pos);

            int inner = tag + 2 + (sign is '-' or '+' ? 1 : 0);
            switch (kind)
            {
                case '#': LexComment(tag, inner); break;
                case '{': LexTag(tag, inner, JinjaTokenKind.VariableBegin, JinjaTokenKind.VariableEnd, '}'); break;
                default:
                    if (!TryLexRaw(tag, inner)) LexTag(tag, inner, JinjaTokenKind.BlockBegin, JinjaTokenKind.BlockEnd, '%');
                    break;
            }
        }
        Add(JinjaTokenKind.Eof, "", _src.Length);
    }

    private static bool IsAllWhitespace(ReadOnlySpan<char> s)
    {
        foreach (char c in s) if (!char.IsWhiteSpace(c)) return false;
        return true;
    }

    private int FindTagStart(int from)
    {
        for (int i = _src.IndexOf('{', from); i >= 0 && i + 1 < _src.Length; i = _src.IndexOf('{', i + 1))
        {
            char c = _src[i + 1];
            if (c is '{' or '%' or '#') return i;
        }
        return -1;
    }

    private void LexComment(int tag, int inner)
    {
        int end = _src.IndexOf("#}", inner, StringComparison.Ordinal);
        if (end < 0) throw Error("unclosed comment: '{#' has no matching '#}'", tag);
        char before = end > inner ? _src[end - 1] : '\0';
        _pos = end + 2;
        AfterBlockEnd(before);
    }

    /// <summary>What follows a block or comment end: '-' strips all whitespace, '+' keeps it, else trim_blocks eats one newline.</summary>
    private void AfterBlockEnd(char sign)
    {
        if (sign == '-')
        {
            int p = _pos;
            while (p < _src.Length && char.IsWhiteSpace(_src[p])) p++;
            _lineStarting = p > _pos && _src[p - 1] == '\n';
            _pos = p;
        }
        else if (sign != '+' && _pos < _src.Length && _src[_pos] == '\n')
        {
            _pos++;
            _lineStarting = true;
        }
        else
        {
            _lineStarting = false;
        }
    }

    /// <summary><c>{% raw %}...{% endraw %}</c>: the body is text, not parsed.</summary>
    private bool TryLexRaw(int tag, int inner)
    {
        int p = SkipSpaces(inner);
        if (string.CompareOrdinal(_src, p, "raw", 0, 3) != 0) return false;
        p = SkipSpaces(p + 3);
        bool stripInside = _src.AsSpan(p).StartsWith("-%}");
        if (!stripInside && !_src.AsSpan(p).StartsWith("%}")) return false;
        int bodyStart = p + (stripInside ? 3 : 2);
        for (int s = _src.IndexOf("{%", bodyStart, StringComparison.Ordinal); s >= 0; s = _src.IndexOf("{%", s + 2, StringComparison.Ordinal))
        {
            int q = s + 2;
            bool stripBefore = q < _src.Length && _src[q] == '-';
            if (q < _src.Length && _src[q] is '-' or '+') q++;
            q = SkipSpaces(q);
            if (string.CompareOrdinal(_src, q, "endraw", 0, 6) != 0) continue;
            q = SkipSpaces(q + 6);
            char sign = q < _src.Length && _src[q] is '-' or '+' ? _src[q] : '\0';
            if (sign != '\0') q++;
            if (!_src.AsSpan(q).StartsWith("%}")) continue;
            string body = _src[bodyStart..s];
            if (stripInside) body = body.TrimStart();
            if (stripBefore) body = body.TrimEnd();
            if (body.Length > 0) Add(JinjaTokenKind.Text, body, bodyStart);
            _pos = q + 2;
            AfterBlockEnd(sign);
            return true;
        }
        throw Error("unclosed '{% raw %}': no matching '{% endraw %}'", tag);
    }

    private int SkipSpaces(int p)
    {
        while (p < _src.Length && char.IsWhiteSpace(_src[p])) p++;
        return p;
    }

    private void LexTag(int tag, int p, JinjaTokenKind begin, JinjaTokenKind endKind, char closer)
    {
        Add(begin, begin == JinjaTokenKind.VariableBegin ? "{{" : "{%", tag);
        int depth = 0;
        while (true)
        {
            p = SkipSpaces(p);
            if (p >= _src.Length)
                throw Error(begin == JinjaTokenKind.VariableBegin ? "unclosed '{{': no matching '}}'" : "unclosed '{%': no matching '%}'", tag);
            char c = _src[p];
            if (depth == 0)
            {
                char sign = c is '-' or '+' ? c : '\0';
                int q = sign == '\0' ? p : p + 1;
                if (q + 1 < _src.Length && _src[q] == closer && _src[q + 1] == '}')
                {
                    Add(endKind, closer + "}", p);
                    _pos = q + 2;
                    if (endKind == JinjaTokenKind.BlockEnd) AfterBlockEnd(sign);
                    else
                    {
                        if (sign == '-') _stripNextText = true;
                        _lineStarting = false;
                    }
                    return;
                }
            }
            if (char.IsLetter(c) || c == '_') p = LexName(p);
            else if (char.IsAsciiDigit(c)) p = LexNumber(p);
            else if (c is '\'' or '"') p = LexString(p);
            else
            {
                string op = MatchOperator(p) ?? throw Error($"unexpected character '{c}' inside a tag", p);
                if (op is "(" or "[" or "{") depth++;
                else if (op is ")" or "]" or "}") depth = Math.Max(0, depth - 1);
                Add(JinjaTokenKind.Operator, op, p);
                p += op.Length;
            }
        }
    }

    private static readonly string[] Operators =
        ["**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|", ";"];

    private string? MatchOperator(int p)
    {
        foreach (string op in Operators)
            if (string.CompareOrdinal(_src, p, op, 0, op.Length) == 0) return op;
        return null;
    }

    private int LexName(int p)
    {
        int start = p;
        while (p < _src.Length && (char.IsLetterOrDigit(_src[p]) || _src[p] == '_')) p++;
        Add(JinjaTokenKind.Name, _src[start..p], start);
        return p;
    }

    private int LexNumber(int p)
    {
        int start = p;
        while (p < _src.Length && (char.IsAsciiDigit(_src[p]) || _src[p] == '_')) p++;
        bool isFloat = false;
        if (p + 1 < _src.Length && _src[p] == '.' && char.IsAsciiDigit(_src[p + 1]))
        {
            isFloat = true;
            p++;
            while (p < _src.Length && (char.IsAsciiDigit(_src[p]) || _src[p] == '_')) p++;
        }
        if (p < _src.Length && _src[p] is 'e' or 'E')
        {
            int q = p + 1;
            if (q < _src.Length && _src[q] is '+' or '-') q++;
            if (q < _src.Length && char.IsAsciiDigit(_src[q]))
            {
                isFloat = true;
                p = q;
                while (p < _src.Length && char.IsAsciiDigit(_src[p])) p++;
            }
        }
        string text = _src[start..p].Replace("_", "", StringComparison.Ordinal);
        if (isFloat) Add(JinjaTokenKind.Float, text, start, double.Parse(text, CultureInfo.InvariantCulture));
        else if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long v)) Add(JinjaTokenKind.Integer, text, start, v);
        else Add(JinjaTokenKind.Float, text, start, double.Parse(text, CultureInfo.InvariantCulture));
        return p;
    }

    /// <summary>A Python string literal: backslash escapes as Python interprets them.</summary>
    private int LexString(int p)
    {
        int start = p;
        char quote = _src[p++];
        var sb = new StringBuilder();
        while (true)
        {
            if (p >= _src.Length) throw Error("unterminated string literal", start);
            char c = _src[p++];
            if (c == quote) break;
            if (c != '\\' || p >= _src.Length)
            {
                sb.Append(c);
                continue;
            }
            char e = _src[p++];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'v': sb.Append('\v'); break;
                case 'a': sb.Append('\a'); break;
                case '0': sb.Append('\0'); break;
                case '\\': sb.Append('\\'); break;
                case '\'': sb.Append('\''); break;
                case '"': sb.Append('"'); break;
                case '\n': break; // line continuation
                case 'x': p = AppendHex(sb, p, 2, start); break;
                case 'u': p = AppendHex(sb, p, 4, start); break;
                case 'U': p = AppendHex(sb, p, 8, start); break;
                default: sb.Append('\\').Append(e); break; // Python keeps unknown escapes verbatim
            }
        }
        Add(JinjaTokenKind.String, sb.ToString(), start);
        return p;
    }

    private int AppendHex(StringBuilder sb, int p, int digits, int start)
    {
        if (p + digits > _src.Length || !int.TryParse(_src.AsSpan(p, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int cp))
            throw Error("invalid escape sequence in string literal", start);
        sb.Append(char.ConvertFromUtf32(cp));
        return p + digits;
    }
}
