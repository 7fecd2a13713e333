using System.Globalization;

namespace Hearth.Chat.Jinja;

/// <summary>Python methods templates call on strings, dicts and lists (<c>s.startswith(...)</c>, <c>d.items()</c>, <c>l.append(x)</c>).</summary>
internal static class JinjaMethods
{
    public static bool TryBind(object target, string name, out JinjaCallable? method)
    {
        Func<JinjaArgs, object?>? f = target switch
        {
            string s => StringMethod(s, name),
            JinjaDict d => DictMethod(d, name),
            List<object?> l => ListMethod(l, name),
            _ => null,
        };
        method = f == null ? null : new JinjaCallable($"{JinjaValue.TypeName(target)}.{name}", f);
        return f != null;
    }

    private static string? OptStr(JinjaArgs a, int i, string name)
    {
        object? v = a.Get(i, name);
        return v switch
        {
            null or JinjaUndefined => null,
            string s => s,
            _ => throw new JinjaException($"expected a string argument, got '{JinjaValue.TypeName(v)}'"),
        };
    }

    private static string Str(JinjaArgs a, int i, string name) =>
        OptStr(a, i, name) ?? throw new JinjaException($"missing string argument '{name}'");

    private static Func<JinjaArgs, object?>? StringMethod(string s, string name) => name switch
    {
        "startswith" => a => Affix(s, a, start: true),
        "endswith" => a => Affix(s, a, start: false),
        "split" => a => PythonFormat.Split(s, OptStr(a, 0, "sep"), JinjaValue.ToLong(a.Get(1, "maxsplit", -1L))),
        "rsplit" => a => PythonFormat.RSplit(s, OptStr(a, 0, "sep"), JinjaValue.ToLong(a.Get(1, "maxsplit", -1L))),
        "strip" => a => PythonFormat.Strip(s, OptStr(a, 0, "chars"), true, true),
        "lstrip" => a => PythonFormat.Strip(s, OptStr(a, 0, "chars"), true, false),
        "rstrip" => a => PythonFormat.Strip(s, OptStr(a, 0, "chars"), false, true),
        "replace" => a => Replace(s, Str(a, 0, "old"), Str(a, 1, "new"), JinjaValue.ToLong(a.Get(2, "count", -1L))),
        "upper" => _ => s.ToUpperInvariant(),
        "lower" => _ => s.ToLowerInvariant(),
        "title" => _ => PythonFormat.Title(s),
        "capitalize" => _ => PythonFormat.Capitalize(s),
        "swapcase" => _ => string.Concat(s.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c))),
        "find" => a => (long)s.IndexOf(Str(a, 0, "sub"), StringComparison.Ordinal),
        "rfind" => a => (long)s.LastIndexOf(Str(a, 0, "sub"), StringComparison.Ordinal),
        "index" => a => s.IndexOf(Str(a, 0, "sub"), StringComparison.Ordinal) is var i and >= 0 ? (long)i : throw new JinjaException("substring not found"),
        "count" => a => (long)CountOf(s, Str(a, 0, "sub")),
        "format" => a => PythonFormat.StrFormat(s, a),
        "join" => a => string.Join(s, JinjaValue.Iterate(a.Get(0, "iterable")).Select(JinjaValue.ToStr)),
        "splitlines" => _ => PythonFormat.SplitLines(s).Cast<object?>().ToList(),
        "isdigit" or "isnumeric" or "isdecimal" => _ => s.Length > 0 && s.All(char.IsDigit),
        "isalpha" => _ => s.Length > 0 && s.All(char.IsLetter),
        "isalnum" => _ => s.Length > 0 && s.All(char.IsLetterOrDigit),
        "isspace" => _ => s.Length > 0 && s.All(PythonFormat.IsPyWhitespace),
        "islower" => _ => s.Any(char.IsLower) && !s.Any(char.IsUpper),
        "isupper" => _ => s.Any(char.IsUpper) && !s.Any(char.IsLower),
        "zfill" => a => ZFill(s, (int)JinjaValue.ToLong(a.Get(0, "width"))),
        "center" => a => Center(s, (int)JinjaValue.ToLong(a.Get(0, "width")), OptStr(a, 1, "fillchar") ?? " "),
        "ljust" => a => s.PadRight((int)JinjaValue.ToLong(a.Get(0, "width")), (OptStr(a, 1, "fillchar") ?? " ")[0]),
        "rjust" => a => s.PadLeft((int)JinjaValue.ToLong(a.Get(0, "width")), (OptStr(a, 1, "fillchar") ?? " ")[0]),
        "removeprefix" => a => s.StartsWith(Str(a, 0, "prefix"), StringComparison.Ordinal) ? s[Str(a, 0, "prefix").Length..] : s,
        "removesuffix" => a => Str(a, 0, "suffix") is var x && x.Length > 0 && s.EndsWith(x, StringComparison.Ordinal) ? s[..^x.Length] : s,
        _ => null,
    };

    private static bool Affix(string s, JinjaArgs a, bool start)
    {
        object? arg = a.Get(0, start ? "prefix" : "suffix");
        var options = arg is List<object?> l ? l : [arg];
        foreach (var o in options)
        {
            if (o is not string p) throw new JinjaException($"{(start ? "startswith" : "endswith")} expects a string or a tuple of strings, got '{JinjaValue.TypeName(o)}'");
            if (start ? s.StartsWith(p, StringComparison.Ordinal) : s.EndsWith(p, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    internal static string Replace(string s, string old, string replacement, long count)
    {
        if (count < 0) return old.Length == 0 ? InsertBetween(s, replacement) : s.Replace(old, replacement, StringComparison.Ordinal);
        var sb = new System.Text.StringBuilder();
        int start = 0;
        for (long n = 0; n < count && old.Length > 0; n++)
        {
            int idx = s.IndexOf(old, start, StringComparison.Ordinal);
            if (idx < 0) break;
            sb.Append(s, start, idx - start).Append(replacement);
            start = idx + old.Length;
        }
        return sb.Append(s, start, s.Length - start).ToString();
    }

    private static string InsertBetween(string s, string r) => r + string.Concat(s.Select(c => c + r));

    private static int CountOf(string s, string sub)
    {
        if (sub.Length == 0) return s.Length + 1;
        int n = 0;
        for (int i = s.IndexOf(sub, StringComparison.Ordinal); i >= 0; i = s.IndexOf(sub, i + sub.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    private static string ZFill(string s, int width)
    {
        if (s.Length >= width) return s;
        int sign = s.Length > 0 && s[0] is '+' or '-' ? 1 : 0;
        return s[..sign] + new string('0', width - s.Length) + s[sign..];
    }

    internal static string Center(string s, int width, string fill)
    {
        if (s.Length >= width) return s;
        int total = width - s.Length;
        int left = total / 2 + (total & width & 1); // CPython's rule for where the odd pad goes
        return new string(fill[0], left) + s + new string(fill[0], total - left);
    }

    private static Func<JinjaArgs, object?>? DictMethod(JinjaDict d, string name) => name switch
    {
        "items" => _ => d.Items.Select(kv => (object?)new JinjaTuple { kv.Key, kv.Value }).ToList(),
        "keys" => _ => d.Keys.Cast<object?>().ToList(),
        "values" => _ => d.Values.ToList(),
        "get" => a => d.TryGet(a.Get(0, "key"), out object? v) ? v : a.Get(1, "default"),
        "pop" => a =>
        {
            object? key = a.Get(0, "key");
            if (d.TryGet(key, out object? v))
            {
                d.Remove(key);
                return v;
            }
            return a.Has(1, "default") ? a.Get(1, "default") : throw new JinjaException($"KeyError: {JinjaValue.Repr(key)}");
        },
        "setdefault" => a =>
        {
            object? key = a.Get(0, "key");
            if (d.TryGet(key, out object? v)) return v;
            d.Set(key, a.Get(1, "default"));
            return a.Get(1, "default");
        },
        "update" => a =>
        {
            if (a.Positional.Count > 0 && a.Positional[0] is JinjaDict other)
                foreach (var kv in other.Items) d.Set(kv.Key, kv.Value);
            foreach (var kv in a.Named) d.Set(kv.Key, kv.Value);
            return null;
        },
        "copy" => _ => d.Clone(),
        _ => null,
    };

    private static Func<JinjaArgs, object?>? ListMethod(List<object?> l, string name) => name switch
    {
        "append" => a =>
        {
            l.Add(a.Get(0, "object"));
            return null;
        },
        "extend" => a =>
        {
            l.AddRange(JinjaValue.Iterate(a.Get(0, "iterable")).ToList());
            return null;
        },
        "insert" => a =>
        {
            long i = JinjaValue.ToLong(a.Get(0, "index"));
            if (i < 0) i = Math.Max(0, i + l.Count);
            l.Insert((int)Math.Min(i, l.Count), a.Get(1, "object"));
            return null;
        },
        "pop" => a =>
        {
            if (l.Count == 0) throw new JinjaException("pop from empty list");
            long i = JinjaValue.ToLong(a.Get(0, "index", -1L));
            if (i < 0) i += l.Count;
            if (i < 0 || i >= l.Count) throw new JinjaException("pop index out of range");
            object? v = l[(int)i];
            l.RemoveAt((int)i);
            return v;
        },
        "index" => a =>
        {
            object? x = a.Get(0, "value");
            for (int i = 0; i < l.Count; i++) if (JinjaValue.PyEquals(l[i], x)) return (long)i;
            throw new JinjaException($"{JinjaValue.Repr(x)} is not in list");
        },
        "count" => a => (long)l.Count(x => JinjaValue.PyEquals(x, a.Get(0, "value"))),
        "remove" => a =>
        {
            object? x = a.Get(0, "value");
            int i = l.FindIndex(y => JinjaValue.PyEquals(y, x));
            if (i < 0) throw new JinjaException("list.remove(x): x not in list");
            l.RemoveAt(i);
            return null;
        },
        "reverse" => _ =>
        {
            l.Reverse();
            return null;
        },
        "copy" => _ => new List<object?>(l),
        _ => null,
    };

    internal static string FormatInt(long v) => v.ToString(CultureInfo.InvariantCulture);
}
