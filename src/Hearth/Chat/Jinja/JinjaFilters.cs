using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Hearth.Chat.Jinja;

/// <summary>The built-in filters (<c>value | name(args)</c>), with Jinja2's behaviour and argument names.</summary>
internal static partial class JinjaFilters
{
    public static readonly HashSet<string> Names =
    [
        "abs", "attr", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape", "first", "float", "forceescape",
        "format", "indent", "int", "items", "join", "last", "length", "list", "lower", "map", "max", "min", "pprint", "reject",
        "rejectattr", "replace", "reverse", "round", "safe", "select", "selectattr", "sort", "string", "sum", "title", "tojson",
        "trim", "unique", "upper", "wordcount",
    ];

    public static object? Apply(JinjaEvaluator ev, string name, object? v, JinjaArgs a)
    {
        switch (name)
        {
            case "safe": return v;
            case "string": return JinjaValue.ToStr(v);
            case "length" or "count": return JinjaValue.Length(v);
            case "trim": return PythonFormat.Strip(JinjaValue.ToStr(v), a.Get(0, "chars") as string, true, true);
            case "upper": return JinjaValue.ToStr(v).ToUpperInvariant();
            case "lower": return JinjaValue.ToStr(v).ToLowerInvariant();
            case "capitalize": return PythonFormat.Capitalize(JinjaValue.ToStr(v));
            case "title": return Title(JinjaValue.ToStr(v));
            case "center": return JinjaMethods.Center(JinjaValue.ToStr(v), (int)JinjaValue.ToLong(a.Get(0, "width", 80L)), " ");
            case "wordcount": return (long)WordRegex().Count(JinjaValue.ToStr(v));
            case "pprint": return JinjaValue.Repr(v);
            case "e" or "escape" or "forceescape": return Escape(JinjaValue.ToStr(v));
            case "replace":
                return JinjaMethods.Replace(JinjaValue.ToStr(v), JinjaValue.ToStr(a.Get(0, "old")), JinjaValue.ToStr(a.Get(1, "new")),
                    a.Get(2, "count") is long n ? n : -1);
            case "format": return PythonFormat.Percent(JinjaValue.ToStr(v), a.Named.Count > 0 ? throw new JinjaException("the format filter takes positional arguments only") : new JinjaTuple(a.Positional));
            case "indent": return Indent(JinjaValue.ToStr(v), a.Get(0, "width", 4L), JinjaValue.IsTruthy(a.Get(1, "first", false)), JinjaValue.IsTruthy(a.Get(2, "blank", false)));
            case "default" or "d":
            {
                bool boolean = JinjaValue.IsTruthy(a.Get(1, "boolean", false));
                bool missing = v is JinjaUndefined || (boolean && !JinjaValue.IsTruthy(v));
                return missing ? a.Get(0, "default_value", "") : v;
            }
            case "first":
            {
                var items = JinjaValue.Iterate(v);
                return items.Count > 0 ? items[0] : new JinjaUndefined("No first item, sequence was empty.");
            }
            case "last":
            {
                var items = JinjaValue.Iterate(JinjaEvaluator.Defined(v));
                return items.Count > 0 ? items[^1] : new JinjaUndefined("No last item, sequence was empty.");
            }
            case "list": return new List<object?>(JinjaValue.Iterate(v));
            case "reverse":
                if (v is string rs) return string.Concat(JinjaValue.StringChars(rs).AsEnumerable().Reverse());
                return JinjaValue.Iterate(v).AsEnumerable().Reverse().ToList();
            case "int": return ToInt(v, a.Get(0, "default", 0L), a.Get(1, "base", 10L));
            case "float": return ToFloat(v, a.Get(0, "default", 0.0));
            case "abs":
                return v switch
                {
                    long l => (object)Math.Abs(l),
                    double d => Math.Abs(d),
                    bool b => b ? 1L : 0L,
                    _ => throw new JinjaException($"bad operand type for abs(): '{JinjaValue.TypeName(v)}'"),
                };
            case "round": return Round(v, JinjaValue.ToLong(a.Get(0, "precision", 0L)), JinjaValue.ToStr(a.Get(1, "method", "common")));
            case "items":
                if (v is JinjaUndefined) return new List<object?>();
                if (v is not JinjaDict dict) throw new JinjaException($"the items filter expects a mapping, got '{JinjaValue.TypeName(v)}'");
                return dict.Items.Select(kv => (object?)new JinjaTuple { kv.Key, kv.Value }).ToList();
            case "dictsort": return DictSort(v, a);
            case "join":
            {
                object? attr = a.Get(1, "attribute");
                var items = JinjaValue.Iterate(v).Select(x => attr == null ? x : AttrGetter(x, attr));
                return string.Join(JinjaValue.ToStr(a.Get(0, "d", "")), items.Select(JinjaValue.ToStr));
            }
            case "tojson": return ToJson(v, a);
            case "attr": return JinjaEvaluator.GetAttribute(JinjaEvaluator.Defined(v), JinjaValue.ToStr(a.Get(0, "name")));
            case "map": return Map(ev, v, a);
            case "select" or "reject": return Select(ev, v, a, name == "select", byAttribute: false);
            case "selectattr" or "rejectattr": return Select(ev, v, a, name == "selectattr", byAttribute: true);
            case "unique": return Unique(v, a);
            case "sort": return Sort(v, a);
            case "min" or "max": return MinMax(v, a, name == "max");
            case "sum":
            {
                object? total = a.Get(1, "start", 0L);
                object? attr = a.Get(0, "attribute");
                foreach (var x in JinjaValue.Iterate(v)) total = JinjaOperators.Arithmetic("+", total, attr == null ? x : AttrGetter(x, attr));
                return total;
            }
            default:
                throw new JinjaException($"unknown filter '{name}'");
        }
    }

    [GeneratedRegex(@"\w+")]
    private static partial Regex WordRegex();

    [GeneratedRegex(@"([-\s(\{\[<]+)")]
    private static partial Regex WordBeginningRegex();

    /// <summary>Jinja2's <c>title</c> filter (not Python's str.title): words start after spaces, '-', and opening brackets.</summary>
    private static string Title(string s)
    {
        var sb = new StringBuilder();
        foreach (string item in WordBeginningRegex().Split(s))
        {
            if (item.Length == 0) continue;
            sb.Append(char.ToUpperInvariant(item[0])).Append(item[1..].ToLowerInvariant());
        }
        return sb.ToString();
    }

    private static string Escape(string s) =>
        s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal)
            .Replace("\"", "&#34;", StringComparison.Ordinal).Replace("'", "&#39;", StringComparison.Ordinal);

    /// <summary>Jinja2's <c>indent</c>: indents every line but the first (unless <c>first</c>), blank lines only with <c>blank</c>.</summary>
    private static string Indent(string s, object? width, bool first, bool blank)
    {
        string pad = width is string ws ? ws : new string(' ', (int)JinjaValue.ToLong(width));
        var lines = PythonFormat.SplitLines(s + "\n");
        string rv;
        if (blank)
        {
            rv = string.Join("\n" + pad, lines);
        }
        else
        {
            rv = lines[0];
            if (lines.Count > 1) rv += "\n" + string.Join("\n", lines.Skip(1).Select(l => l.Length > 0 ? pad + l : l));
        }
        return first ? pad + rv : rv;
    }

    private static object? ToInt(object? v, object? fallback, object? baseArg)
    {
        int b = (int)JinjaValue.ToLong(baseArg);
        switch (v)
        {
            case long or bool: return JinjaValue.ToLong(v);
            case double d when !double.IsNaN(d) && !double.IsInfinity(d): return (long)Math.Truncate(d);
            case string s:
                string t = s.Trim().Replace("_", "", StringComparison.Ordinal);
                try
                {
                    if (b == 10 && long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)) return l;
                    if (b != 10 && t.Length > 0) return Convert.ToInt64(t, b);
                }
                catch (FormatException)
                {
                    return fallback;
                }
                return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double f) && !double.IsInfinity(f) ? (long)Math.Truncate(f) : fallback;
            default: return fallback;
        }
    }

    private static object? ToFloat(object? v, object? fallback) => v switch
    {
        double d => d,
        long or bool => JinjaValue.ToDouble(v),
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double f) => f,
        _ => fallback,
    };

    private static object? Round(object? v, long precision, string method)
    {
        double x = JinjaValue.ToDouble(v);
        double scale = Math.Pow(10, precision);
        double r = method switch
        {
            "common" => Math.Round(x, (int)Math.Clamp(precision, 0, 15), MidpointRounding.ToEven),
            "ceil" => Math.Ceiling(x * scale) / scale,
            "floor" => Math.Floor(x * scale) / scale,
            _ => throw new JinjaException("method must be common, ceil or floor"),
        };
        return r;
    }

    /// <summary>Jinja2's attribute getter: <c>"a.b"</c> follows dots, integer parts index lists.</summary>
    internal static object? AttrGetter(object? item, object? attribute)
    {
        if (attribute is long idx) return JinjaEvaluator.GetItem(item, idx);
        foreach (string part in JinjaValue.ToStr(attribute).Split('.'))
        {
            object? key = long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : part;
            item = JinjaEvaluator.GetItem(JinjaEvaluator.Defined(item), key);
        }
        return item;
    }
}
