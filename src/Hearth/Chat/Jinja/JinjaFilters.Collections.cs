namespace Hearth.Chat.Jinja;

// Filters over sequences: map, select/reject(attr), unique, sort, dictsort, min/max, tojson.
internal static partial class JinjaFilters
{
    private static List<object?> Map(JinjaEvaluator ev, object? v, JinjaArgs a)
    {
        // Jinja2's map/select iterate only a truthy value: none or undefined give nothing.
        var items = JinjaValue.IsTruthy(v) ? JinjaValue.Iterate(v) : [];
        var result = new List<object?>(items.Count);
        if (a.Positional.Count == 0 && a.Has(-1, "attribute"))
        {
            object? attr = a.Get(-1, "attribute");
            bool hasDefault = a.Has(-1, "default");
            foreach (var x in items)
            {
                object? r = AttrGetter(x, attr);
                result.Add(r is JinjaUndefined && hasDefault ? a.Get(-1, "default") : r);
            }
            return result;
        }
        if (a.Positional.Count == 0) throw new JinjaException("map needs a filter name or attribute=");
        string filter = JinjaValue.ToStr(a.Positional[0]);
        var rest = new JinjaArgs(a.Positional.Skip(1).ToList(), a.Named);
        foreach (var x in items) result.Add(Apply(ev, filter, x, rest));
        return result;
    }

    private static List<object?> Select(JinjaEvaluator ev, object? v, JinjaArgs a, bool keep, bool byAttribute)
    {
        int next = 0;
        object? attr = byAttribute ? a.Positional.Count > 0 ? a.Positional[next++] : throw new JinjaException("selectattr/rejectattr need an attribute name") : null;
        string? test = a.Positional.Count > next ? JinjaValue.ToStr(a.Positional[next++]) : null;
        var testArgs = a.Positional.Skip(next).ToList();
        var result = new List<object?>();
        foreach (var x in JinjaValue.IsTruthy(v) ? JinjaValue.Iterate(v) : [])
        {
            object? probe = byAttribute ? AttrGetter(x, attr) : x;
            bool ok = test == null ? JinjaValue.IsTruthy(probe) : JinjaTests.Apply(ev, test, probe, testArgs);
            if (ok == keep) result.Add(x);
        }
        return result;
    }

    private static object? SortKey(object? x, object? attribute, bool caseSensitive)
    {
        if (attribute != null) x = AttrGetter(x, attribute);
        return !caseSensitive && x is string s ? s.ToLowerInvariant() : x;
    }

    private static List<object?> Unique(object? v, JinjaArgs a)
    {
        bool cs = JinjaValue.IsTruthy(a.Get(0, "case_sensitive", false));
        object? attr = a.Get(1, "attribute");
        var seen = new List<object?>();
        var result = new List<object?>();
        foreach (var x in JinjaValue.Iterate(v))
        {
            object? key = SortKey(x, attr, cs);
            if (seen.Exists(s => JinjaValue.PyEquals(s, key))) continue;
            seen.Add(key);
            result.Add(x);
        }
        return result;
    }

    private static List<object?> Sort(object? v, JinjaArgs a)
    {
        bool reverse = JinjaValue.IsTruthy(a.Get(0, "reverse", false));
        bool cs = JinjaValue.IsTruthy(a.Get(1, "case_sensitive", false));
        object? attr = a.Get(2, "attribute");
        var items = new List<object?>(JinjaValue.Iterate(v));
        var keyed = items.Select((x, i) => (Key: SortKey(x, attr, cs), Index: i, Item: x)).ToList();
        // Stable, like Python's sort; reverse keeps equal items in their original order as Python does.
        keyed.Sort((p, q) =>
        {
            int c = JinjaValue.Compare(p.Key, q.Key);
            if (reverse) c = -c;
            return c != 0 ? c : p.Index.CompareTo(q.Index);
        });
        return keyed.Select(k => k.Item).ToList();
    }

    private static List<object?> DictSort(object? v, JinjaArgs a)
    {
        if (v is not JinjaDict d) throw new JinjaException($"dictsort expects a mapping, got '{JinjaValue.TypeName(v)}'");
        bool cs = JinjaValue.IsTruthy(a.Get(0, "case_sensitive", false));
        string by = JinjaValue.ToStr(a.Get(1, "by", "key"));
        bool reverse = JinjaValue.IsTruthy(a.Get(2, "reverse", false));
        int pos = by switch
        {
            "key" => 0,
            "value" => 1,
            _ => throw new JinjaException("You can only sort by either 'key' or 'value'"),
        };
        var items = d.Items.Select((kv, i) => (Key: SortKey(pos == 0 ? kv.Key : kv.Value, null, cs), Index: i, Pair: (object?)new JinjaTuple { kv.Key, kv.Value })).ToList();
        items.Sort((p, q) =>
        {
            int c = JinjaValue.Compare(p.Key, q.Key);
            if (reverse) c = -c;
            return c != 0 ? c : p.Index.CompareTo(q.Index);
        });
        return items.Select(x => x.Pair).ToList();
    }

    private static object? MinMax(object? v, JinjaArgs a, bool max)
    {
        bool cs = JinjaValue.IsTruthy(a.Get(0, "case_sensitive", false));
        object? attr = a.Get(1, "attribute");
        object? best = null, bestKey = null;
        bool any = false;
        foreach (var x in JinjaValue.Iterate(v))
        {
            object? key = SortKey(x, attr, cs);
            if (!any || (max ? JinjaValue.Compare(key, bestKey) > 0 : JinjaValue.Compare(key, bestKey) < 0))
            {
                best = x;
                bestKey = key;
                any = true;
            }
        }
        return any ? best : new JinjaUndefined($"No aggregated item, sequence was empty.");
    }

    /// <summary>
    /// <c>tojson</c> as the reference renders use it: Python's <c>json.dumps(value, ensure_ascii=False, indent=..., separators=..., sort_keys=...)</c>.
    /// </summary>
    private static string ToJson(object? v, JinjaArgs a)
    {
        object? indent = a.Get(0, "indent");
        string? indentText = indent switch
        {
            null => null,
            string s => s,
            long or bool => new string(' ', (int)JinjaValue.ToLong(indent)),
            _ => throw new JinjaException($"tojson indent must be an integer or a string, got '{JinjaValue.TypeName(indent)}'"),
        };
        string item = indentText == null ? ", " : ",", key = ": ";
        if (a.Get(-1, "separators") is List<object?> { Count: 2 } seps)
        {
            item = JinjaValue.ToStr(seps[0]);
            key = JinjaValue.ToStr(seps[1]);
        }
        bool sortKeys = JinjaValue.IsTruthy(a.Get(-1, "sort_keys", false));
        bool ensureAscii = JinjaValue.IsTruthy(a.Get(-1, "ensure_ascii", false));
        return JinjaJson.Dumps(v, new JinjaJson.Options(indentText, item, key, sortKeys, ensureAscii));
    }
}
