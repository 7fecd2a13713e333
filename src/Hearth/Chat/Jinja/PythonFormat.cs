using System.Globalization;
using System.Text;

namespace Hearth.Chat.Jinja;

/// <summary>Python string formatting and string helpers that templates rely on (<c>%</c>, <c>str.format</c>, <c>strftime</c>, ...).</summary>
internal static class PythonFormat
{
    /// <summary><c>fmt % args</c> with the common conversions: %s %r %d %i %f %x %%.</summary>
    public static string Percent(string fmt, object? args)
    {
        var list = args is JinjaTuple t ? t : [args];
        int next = 0;
        var sb = new StringBuilder();
        for (int i = 0; i < fmt.Length; i++)
        {
            char c = fmt[i];
            if (c != '%')
            {
                sb.Append(c);
                continue;
            }
            if (++i >= fmt.Length) throw new JinjaException("incomplete format: the string ends with '%'");
            int precision = -1;
            if (fmt[i] == '.')
            {
                int p = ++i;
                while (i < fmt.Length && char.IsAsciiDigit(fmt[i])) i++;
                precision = int.Parse(fmt.AsSpan(p, i - p), CultureInfo.InvariantCulture);
            }
            char conv = fmt[i];
            if (conv == '%')
            {
                sb.Append('%');
                continue;
            }
            if (next >= list.Count) throw new JinjaException("not enough arguments for format string");
            object? v = list[next++];
            sb.Append(conv switch
            {
                's' => JinjaValue.ToStr(v),
                'r' => JinjaValue.Repr(v),
                'd' or 'i' => JinjaValue.ToLong(v).ToString(CultureInfo.InvariantCulture),
                'f' => JinjaValue.ToDouble(v).ToString("F" + (precision < 0 ? 6 : precision), CultureInfo.InvariantCulture),
                'x' => JinjaValue.ToLong(v).ToString("x", CultureInfo.InvariantCulture),
                _ => throw new JinjaException($"unsupported format character '{conv}'"),
            });
        }
        return sb.ToString();
    }

    /// <summary><c>str.format(*args, **kwargs)</c> with <c>{}</c>, <c>{0}</c>, <c>{name}</c> fields (no format specs).</summary>
    public static string StrFormat(string fmt, JinjaArgs args)
    {
        var sb = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < fmt.Length; i++)
        {
            char c = fmt[i];
            if (c == '{' && i + 1 < fmt.Length && fmt[i + 1] == '{') { sb.Append('{'); i++; continue; }
            if (c == '}' && i + 1 < fmt.Length && fmt[i + 1] == '}') { sb.Append('}'); i++; continue; }
            if (c != '{') { sb.Append(c); continue; }
            int end = fmt.IndexOf('}', i);
            if (end < 0) throw new JinjaException("single '{' encountered in format string");
            string field = fmt[(i + 1)..end];
            if (field.Contains(':', StringComparison.Ordinal)) throw new JinjaException($"format specifications ('{field}') are not supported in str.format");
            object? v;
            if (field.Length == 0) v = args.Positional.Count > auto ? args.Positional[auto++] : throw new JinjaException("str.format: not enough positional arguments");
            else if (int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out int idx))
                v = idx < args.Positional.Count ? args.Positional[idx] : throw new JinjaException($"str.format: no positional argument {idx}");
            else v = args.Has(-1, field) ? args.Get(-1, field) : throw new JinjaException($"str.format: no argument named '{field}'");
            sb.Append(JinjaValue.ToStr(v));
            i = end;
        }
        return sb.ToString();
    }

    private static readonly string[] Months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    private static readonly string[] Days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

    /// <summary>C/Python <c>strftime</c> in the C locale, including glibc's <c>%-d</c> (no padding).</summary>
    public static string Strftime(string fmt, DateTime t)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < fmt.Length; i++)
        {
            if (fmt[i] != '%' || i + 1 >= fmt.Length)
            {
                sb.Append(fmt[i]);
                continue;
            }
            char c = fmt[++i];
            bool noPad = false;
            if (c == '-' && i + 1 < fmt.Length)
            {
                noPad = true;
                c = fmt[++i];
            }
            string Num(int v, int width) => noPad ? v.ToString(CultureInfo.InvariantCulture) : v.ToString(new string('0', width), CultureInfo.InvariantCulture);
            int hour12 = t.Hour % 12 == 0 ? 12 : t.Hour % 12;
            sb.Append(c switch
            {
                'Y' => t.Year.ToString(CultureInfo.InvariantCulture),
                'y' => Num(t.Year % 100, 2),
                'm' => Num(t.Month, 2),
                'd' => Num(t.Day, 2),
                'e' => noPad ? t.Day.ToString(CultureInfo.InvariantCulture) : t.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2),
                'H' => Num(t.Hour, 2),
                'I' => Num(hour12, 2),
                'M' => Num(t.Minute, 2),
                'S' => Num(t.Second, 2),
                'j' => Num(t.DayOfYear, 3),
                'p' => t.Hour < 12 ? "AM" : "PM",
                'B' => Months[t.Month - 1],
                'b' or 'h' => Months[t.Month - 1][..3],
                'A' => Days[(int)t.DayOfWeek],
                'a' => Days[(int)t.DayOfWeek][..3],
                'w' => ((int)t.DayOfWeek).ToString(CultureInfo.InvariantCulture),
                'F' => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                'T' => t.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
                'D' => t.ToString("MM/dd/yy", CultureInfo.InvariantCulture),
                'Z' => "",
                'z' => "",
                '%' => "%",
                _ => "%" + (noPad ? "-" : "") + c,
            });
        }
        return sb.ToString();
    }

    public static bool IsPyWhitespace(char c) => char.IsWhiteSpace(c) || c is '\x1c' or '\x1d' or '\x1e' or '\x1f';

    /// <summary><c>str.strip/lstrip/rstrip(chars)</c>; <paramref name="chars"/> null means whitespace.</summary>
    public static string Strip(string s, string? chars, bool left, bool right)
    {
        int a = 0, b = s.Length;
        bool Drop(char c) => chars == null ? IsPyWhitespace(c) : chars.Contains(c, StringComparison.Ordinal);
        if (left) while (a < b && Drop(s[a])) a++;
        if (right) while (b > a && Drop(s[b - 1])) b--;
        return s[a..b];
    }

    /// <summary><c>str.split(sep=None, maxsplit=-1)</c>.</summary>
    public static List<object?> Split(string s, string? sep, long maxSplit)
    {
        var result = new List<object?>();
        if (sep == null)
        {
            int i = 0;
            while (true)
            {
                while (i < s.Length && IsPyWhitespace(s[i])) i++;
                if (i >= s.Length) break;
                if (maxSplit >= 0 && result.Count >= maxSplit)
                {
                    result.Add(Strip(s[i..], null, false, true));
                    break;
                }
                int j = i;
                while (j < s.Length && !IsPyWhitespace(s[j])) j++;
                result.Add(s[i..j]);
                i = j;
            }
            return result;
        }
        if (sep.Length == 0) throw new JinjaException("empty separator");
        int start = 0;
        while (maxSplit < 0 || result.Count < maxSplit)
        {
            int idx = s.IndexOf(sep, start, StringComparison.Ordinal);
            if (idx < 0) break;
            result.Add(s[start..idx]);
            start = idx + sep.Length;
        }
        result.Add(s[start..]);
        return result;
    }

    /// <summary><c>str.rsplit(sep, maxsplit)</c> for an explicit separator (whitespace splitting falls back to split when unlimited).</summary>
    public static List<object?> RSplit(string s, string? sep, long maxSplit)
    {
        if (maxSplit < 0 || sep == null) return Split(s, sep, maxSplit);
        var result = new List<object?>();
        int end = s.Length;
        while (result.Count < maxSplit)
        {
            int idx = end == 0 ? -1 : s.LastIndexOf(sep, end - 1, StringComparison.Ordinal);
            if (idx < 0 || idx + sep.Length > end) break;
            result.Insert(0, s[(idx + sep.Length)..end]);
            end = idx;
        }
        result.Insert(0, s[..end]);
        return result;
    }

    /// <summary><c>str.splitlines()</c>.</summary>
    public static List<string> SplitLines(string s)
    {
        var lines = new List<string>();
        int start = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c is '\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\u0085' or '\u2028' or '\u2029')
            {
                lines.Add(s[start..i]);
                if (c == '\r' && i + 1 < s.Length && s[i + 1] == '\n') i++;
                start = i + 1;
            }
        }
        if (start < s.Length) lines.Add(s[start..]);
        return lines;
    }

    /// <summary>Python <c>str.title()</c>: a cased letter after an uncased character starts a word.</summary>
    public static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        bool prevCased = false;
        foreach (char c in s)
        {
            bool cased = char.IsUpper(c) || char.IsLower(c);
            sb.Append(cased ? (prevCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)) : c);
            prevCased = cased;
        }
        return sb.ToString();
    }

    /// <summary>Python <c>str.capitalize()</c>.</summary>
    public static string Capitalize(string s) =>
        s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();
}
