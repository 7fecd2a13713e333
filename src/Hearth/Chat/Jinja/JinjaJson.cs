using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Hearth.Chat.Jinja;

/// <summary>
/// JSON in and out. In: System.Text.Json values become template values (objects keep their key order, numbers
/// without a fraction or exponent become integers, as Python's <c>json.loads</c>). Out: Python's
/// <c>json.dumps(x, ensure_ascii, indent, separators, sort_keys)</c>, byte for byte, which is what the
/// <c>tojson</c> filter produces in the reference renderers.
/// </summary>
internal static class JinjaJson
{
    public static object? FromElement(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => FromObject(e),
        JsonValueKind.Array => FromArray(e),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => FromNumber(e),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static JinjaDict FromObject(JsonElement e)
    {
        var d = new JinjaDict();
        foreach (var p in e.EnumerateObject()) d.Set(p.Name, FromElement(p.Value));
        return d;
    }

    private static List<object?> FromArray(JsonElement e)
    {
        var l = new List<object?>(e.GetArrayLength());
        foreach (var x in e.EnumerateArray()) l.Add(FromElement(x));
        return l;
    }

    private static object FromNumber(JsonElement e)
    {
        string raw = e.GetRawText();
        if (raw.AsSpan().IndexOfAny(".eE") < 0 && long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)) return l;
        return e.GetDouble();
    }

    /// <summary>Parses JSON text into a template value (Python's <c>json.loads</c>).</summary>
    public static object? Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return FromElement(doc.RootElement);
    }

    public sealed record Options(string? Indent = null, string ItemSeparator = ", ", string KeySeparator = ": ", bool SortKeys = false, bool EnsureAscii = false);

    public static string Dumps(object? value, Options options)
    {
        var sb = new StringBuilder();
        Write(sb, value, options, 0);
        return sb.ToString();
    }

    private static void NewLine(StringBuilder sb, Options o, int level)
    {
        sb.Append('\n');
        for (int i = 0; i < level; i++) sb.Append(o.Indent);
    }

    private static void Write(StringBuilder sb, object? v, Options o, int level)
    {
        switch (v)
        {
            case null: sb.Append("null"); break;
            case bool b: sb.Append(b ? "true" : "false"); break;
            case long l: sb.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case double d:
                sb.Append(double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : JinjaValue.FloatRepr(d));
                break;
            case string s: WriteString(sb, s, o.EnsureAscii); break;
            case List<object?> list:
                if (list.Count == 0)
                {
                    sb.Append("[]");
                    break;
                }
                sb.Append('[');
                for (int i = 0; i < list.Count; i++)
                {
                    if (i > 0) sb.Append(o.ItemSeparator);
                    if (o.Indent != null) NewLine(sb, o, level + 1);
                    Write(sb, list[i], o, level + 1);
                }
                if (o.Indent != null) NewLine(sb, o, level);
                sb.Append(']');
                break;
            case JinjaDict dict:
                if (dict.Count == 0)
                {
                    sb.Append("{}");
                    break;
                }
                var items = dict.Items.Select(kv => new KeyValuePair<string, object?>(KeyString(kv.Key), kv.Value)).ToList();
                if (o.SortKeys) items.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
                sb.Append('{');
                for (int i = 0; i < items.Count; i++)
                {
                    if (i > 0) sb.Append(o.ItemSeparator);
                    if (o.Indent != null) NewLine(sb, o, level + 1);
                    WriteString(sb, items[i].Key, o.EnsureAscii);
                    sb.Append(o.KeySeparator);
                    Write(sb, items[i].Value, o, level + 1);
                }
                if (o.Indent != null) NewLine(sb, o, level);
                sb.Append('}');
                break;
            case JinjaUndefined u:
                throw new JinjaException($"cannot serialize an undefined value to JSON ({u.Hint})");
            default:
                throw new JinjaException($"Object of type {JinjaValue.TypeName(v)} is not JSON serializable");
        }
    }

    private static string KeyString(object key) => key switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => JinjaValue.FloatRepr(d),
        _ => throw new JinjaException($"keys must be str, int, float or bool, not {JinjaValue.TypeName(key)}"),
    };

    private static void WriteString(StringBuilder sb, string s, bool ensureAscii)
    {
        sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20 || (ensureAscii && c > 0x7e)) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
