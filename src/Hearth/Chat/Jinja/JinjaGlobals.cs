namespace Hearth.Chat.Jinja;

/// <summary>
/// Functions every chat template can call: Jinja2's <c>range</c>, <c>dict</c>, <c>namespace</c>, <c>cycler</c>,
/// <c>joiner</c>, and the two Hugging Face adds for chat templates, <c>raise_exception(message)</c> and
/// <c>strftime_now(format)</c> (formatting <see cref="Now"/>, injectable so renders are reproducible).
/// </summary>
internal sealed class JinjaGlobals
{
    private readonly Dictionary<string, object?> _functions = new(StringComparer.Ordinal);

    public JinjaGlobals(DateTime now)
    {
        Now = now;
        Add("range", Range);
        Add("dict", a =>
        {
            var d = a.Positional.Count > 0 && a.Positional[0] is JinjaDict src ? src.Clone() : new JinjaDict();
            foreach (var kv in a.Named) d.Set(kv.Key, kv.Value);
            return d;
        });
        Add("namespace", a =>
        {
            var ns = new JinjaNamespace();
            if (a.Positional.Count > 0 && a.Positional[0] is JinjaDict src)
                foreach (var kv in src.Items) ns.Attributes[JinjaValue.ToStr(kv.Key)] = kv.Value;
            foreach (var kv in a.Named) ns.Attributes[kv.Key] = kv.Value;
            return ns;
        });
        Add("raise_exception", a => throw new JinjaException(JinjaValue.ToStr(a.Get(0, "message", "")), 0, 0, raisedByTemplate: true));
        Add("strftime_now", a => PythonFormat.Strftime(JinjaValue.ToStr(a.Get(0, "format", "")), Now));
        Add("cycler", a =>
        {
            var items = a.Positional;
            var state = new JinjaNamespace();
            state.Attributes["pos"] = 0L;
            return new JinjaCallable("cycler.next", _ =>
            {
                long pos = (long)state.Attributes["pos"]!;
                state.Attributes["pos"] = (pos + 1) % Math.Max(1, items.Count);
                return items.Count == 0 ? null : items[(int)pos];
            });
        });
        Add("joiner", a =>
        {
            string sep = JinjaValue.ToStr(a.Get(0, "sep", ", "));
            bool used = false;
            return new JinjaCallable("joiner", _ =>
            {
                if (!used)
                {
                    used = true;
                    return "";
                }
                return sep;
            });
        });
    }

    public DateTime Now { get; }

    private void Add(string name, Func<JinjaArgs, object?> f) => _functions[name] = new JinjaCallable(name, f);

    public bool TryGet(string name, out object? value) => _functions.TryGetValue(name, out value);

    private static List<object?> Range(JinjaArgs a)
    {
        long start = 0, stop, step = 1;
        var p = a.Positional;
        if (p.Count == 1) stop = JinjaValue.ToLong(p[0]);
        else if (p.Count >= 2)
        {
            start = JinjaValue.ToLong(p[0]);
            stop = JinjaValue.ToLong(p[1]);
            if (p.Count >= 3) step = JinjaValue.ToLong(p[2]);
        }
        else throw new JinjaException("range expected at least 1 argument, got 0");
        if (step == 0) throw new JinjaException("range() arg 3 must not be zero");
        var result = new List<object?>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step)
        {
            result.Add(i);
            if (result.Count > 1_000_000) throw new JinjaException("range() is too large (more than a million items)");
        }
        return result;
    }
}
