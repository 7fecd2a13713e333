using System.Globalization;
using System.Text;

namespace Hearth.Chat.Jinja;

/// <summary>A Python tuple (from <c>(a, b)</c>, <c>dict.items()</c>): a list that prints with parentheses.</summary>
internal sealed class JinjaTuple : List<object?>
{
    public JinjaTuple()
    {
    }

    public JinjaTuple(IEnumerable<object?> items)
        : base(items)
    {
    }
}

/// <summary>
/// Python semantics for template values. Values are plain objects: <c>null</c> (None), <see cref="bool"/>,
/// <see cref="long"/>, <see cref="double"/>, <see cref="string"/>, <c>List&lt;object?&gt;</c>, <see cref="JinjaDict"/>,
/// <see cref="JinjaNamespace"/>, <see cref="JinjaCallable"/>, <see cref="JinjaUndefined"/>.
/// </summary>
internal static class JinjaValue
{
    public static string TypeName(object? v) => v switch
    {
        null => "NoneType",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        JinjaTuple => "tuple",
        List<object?> => "list",
        JinjaDict => "dict",
        JinjaNamespace => "Namespace",
        JinjaCallable => "function",
        JinjaUndefined => "Undefined",
        JinjaLoop => "LoopContext",
        _ => v.GetType().Name,
    };

    public static bool IsTruthy(object? v) => v switch
    {
        null => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        List<object?> l => l.Count > 0,
        JinjaDict d => d.Count > 0,
        JinjaUndefined => false,
        _ => true,
    };

    public static bool IsNumber(object? v) => v is long or double or bool;

    /// <summary>Python <c>str(v)</c>, which is what <c>{{ v }}</c> prints.</summary>
    public static string ToStr(object? v) => v switch
    {
        string s => s,
        JinjaUndefined => "",
        null => "None",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FloatRepr(d),
        _ => Repr(v),
    };

    /// <summary>Python <c>repr(v)</c>: how containers print their elements.</summary>
    public static string Repr(object? v)
    {
        var sb = new StringBuilder();
        AppendRepr(sb, v);
        return sb.ToString();
    }

    private static void AppendRepr(StringBuilder sb, object? v)
    {
        switch (v)
        {
            case string s:
                AppendStringRepr(sb, s);
                break;
            case JinjaTuple t:
                sb.Append('(');
                for (int i = 0; i < t.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    AppendRepr(sb, t[i]);
                }
                sb.Append(t.Count == 1 ? ",)" : ")");
                break;
            case List<object?> l:
                sb.Append('[');
                for (int i = 0; i < l.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    AppendRepr(sb, l[i]);
                }
                sb.Append(']');
                break;
            case JinjaDict d:
                sb.Append('{');
                bool first = true;
                foreach (var kv in d.Items)
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    AppendRepr(sb, kv.Key);
                    sb.Append(": ");
                    AppendRepr(sb, kv.Value);
                }
                sb.Append('}');
                break;
            case JinjaNamespace:
                sb.Append("<Namespace>");
                break;
            case JinjaCallable c:
                sb.Append("<function ").Append(c.Name).Append('>');
                break;
            default:
                sb.Append(ToStr(v));
                break;
        }
    }

    /// <summary>Python's string repr: single quotes unless the text has a single quote and no double quote.</summary>
    private static void AppendStringRepr(StringBuilder sb, string s)
    {
        char q = s.Contains('\'', StringComparison.Ordinal) && !s.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        sb.Append(q);
        foreach (char c in s)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c == q) sb.Append('\\').Append(c);
                    else if (c < 0x20 || c == 0x7f) sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append(q);
    }

    /// <summary>
    /// Python's <c>repr(float)</c>: the shortest round-trip digits, fixed notation when the decimal exponent is in
    /// [-4, 16), otherwise scientific with a two-digit exponent (<c>1e-05</c>, <c>1e+16</c>); integral values keep <c>.0</c>.
    /// </summary>
    public static string FloatRepr(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return double.IsNegative(d) ? "-0.0" : "0.0";
        string shortest = d.ToString("R", CultureInfo.InvariantCulture);
        // Decompose the shortest round-trip text into digits and a decimal exponent.
        bool neg = shortest.StartsWith('-');
        if (neg) shortest = shortest[1..];
        int exp = 0;
        int e = shortest.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exp = int.Parse(shortest.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            shortest = shortest[..e];
        }
        int dot = shortest.IndexOf('.', StringComparison.Ordinal);
        string intPart = dot < 0 ? shortest : shortest[..dot];
        string frac = dot < 0 ? "" : shortest[(dot + 1)..];
        string digits = (intPart + frac).TrimStart('0');
        int lead = (intPart + frac).Length - digits.Length;
        int decpt = intPart.Length - lead + exp; // position of the decimal point relative to the first significant digit
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        var sb = new StringBuilder();
        if (neg) sb.Append('-');
        if (decpt > -4 && decpt <= 16)
        {
            if (decpt <= 0) sb.Append("0.").Append('0', -decpt).Append(digits);
            else if (decpt >= digits.Length) sb.Append(digits).Append('0', decpt - digits.Length).Append(".0");
            else sb.Append(digits, 0, decpt).Append('.').Append(digits, decpt, digits.Length - decpt);
        }
        else
        {
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
            int x = decpt - 1;
            sb.Append('e').Append(x < 0 ? '-' : '+').Append(Math.Abs(x).ToString("00", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>Python <c>==</c>: numbers by value (True == 1), containers element-wise, undefined equals only undefined.</summary>
    public static bool PyEquals(object? a, object? b)
    {
        if (a is JinjaUndefined || b is JinjaUndefined) return a is JinjaUndefined && b is JinjaUndefined;
        if (a == null || b == null) return a == null && b == null;
        if (IsNumber(a) && IsNumber(b))
        {
            if (a is double || b is double) return ToDouble(a) == ToDouble(b);
            return ToLong(a) == ToLong(b);
        }
        switch (a)
        {
            case string sa: return b is string sb && string.Equals(sa, sb, StringComparison.Ordinal);
            case List<object?> la:
                if (b is not List<object?> lb || la.Count != lb.Count || (a is JinjaTuple) != (b is JinjaTuple)) return false;
                for (int i = 0; i < la.Count; i++) if (!PyEquals(la[i], lb[i])) return false;
                return true;
            case JinjaDict da:
                if (b is not JinjaDict db || da.Count != db.Count) return false;
                foreach (var kv in da.Items)
                    if (!db.TryGet(kv.Key, out var other) || !PyEquals(kv.Value, other)) return false;
                return true;
            default:
                return ReferenceEquals(a, b) || a.Equals(b);
        }
    }

    /// <summary>Python ordering for &lt; &gt; sort: numbers, strings (by code point), sequences lexicographically.</summary>
    public static int Compare(object? a, object? b)
    {
        if (IsNumber(a) && IsNumber(b))
        {
            if (a is double || b is double) return ToDouble(a).CompareTo(ToDouble(b));
            return ToLong(a).CompareTo(ToLong(b));
        }
        if (a is string sa && b is string sb) return string.CompareOrdinal(sa, sb);
        if (a is List<object?> la && b is List<object?> lb)
        {
            for (int i = 0; i < Math.Min(la.Count, lb.Count); i++)
            {
                if (PyEquals(la[i], lb[i])) continue;
                return Compare(la[i], lb[i]);
            }
            return la.Count.CompareTo(lb.Count);
        }
        if (a is JinjaUndefined u) throw new JinjaException(u.Hint);
        if (b is JinjaUndefined u2) throw new JinjaException(u2.Hint);
        throw new JinjaException($"cannot compare '{TypeName(a)}' with '{TypeName(b)}' (ordering is only defined between numbers, strings or lists)");
    }

    public static long ToLong(object? v) => v switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        double d => (long)d,
        _ => throw new JinjaException($"expected an integer, got '{TypeName(v)}'"),
    };

    public static double ToDouble(object? v) => v switch
    {
        double d => d,
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw new JinjaException($"expected a number, got '{TypeName(v)}'"),
    };

    /// <summary>Python iteration: list items, dict keys, string characters (code points); undefined is empty.</summary>
    public static List<object?> Iterate(object? v) => v switch
    {
        List<object?> l => l,
        JinjaDict d => [.. d.Keys],
        string s => StringChars(s),
        JinjaUndefined => [],
        _ => throw new JinjaException($"'{TypeName(v)}' object is not iterable"),
    };

    public static List<object?> StringChars(string s)
    {
        var list = new List<object?>(s.Length);
        foreach (var rune in s.EnumerateRunes()) list.Add(rune.ToString());
        return list;
    }

    public static long Length(object? v) => v switch
    {
        string s => CodePointLength(s),
        List<object?> l => l.Count,
        JinjaDict d => d.Count,
        JinjaUndefined => 0,
        JinjaNamespace ns => ns.Attributes.Count,
        _ => throw new JinjaException($"object of type '{TypeName(v)}' has no len()"),
    };

    public static int CodePointLength(string s)
    {
        int n = 0;
        foreach (var _ in s.EnumerateRunes()) n++;
        return n;
    }
}
