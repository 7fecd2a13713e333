namespace Hearth.Chat.Jinja;

/// <summary>
/// Variables visible at one point of the render. Loop bodies, macro bodies and <c>caller()</c> bodies get a child
/// scope, so a <c>set</c> inside them does not leak out (Jinja2's scoping); <c>if</c> does not introduce a scope.
/// </summary>
internal sealed class JinjaScope
{
    private readonly Dictionary<string, object?> _vars = new(StringComparer.Ordinal);

    public JinjaScope(JinjaScope? parent) => Parent = parent;

    public JinjaScope? Parent { get; }

    public bool TryGet(string name, out object? value)
    {
        for (var s = this; s != null; s = s.Parent)
            if (s._vars.TryGetValue(name, out value)) return true;
        value = null;
        return false;
    }

    public void Set(string name, object? value) => _vars[name] = value;
}

/// <summary>The <c>loop</c> variable inside a for loop.</summary>
internal sealed class JinjaLoop
{
    private readonly List<object?> _items;
    private object? _lastChanged = Unset;
    private static readonly object Unset = new();

    public JinjaLoop(List<object?> items, int depth0)
    {
        _items = items;
        Depth0 = depth0;
    }

    public int Index0 { get; set; }

    public int Depth0 { get; }

    public object? Get(string name)
    {
        int n = _items.Count;
        return name switch
        {
            "index" => (long)(Index0 + 1),
            "index0" => (long)Index0,
            "revindex" => (long)(n - Index0),
            "revindex0" => (long)(n - Index0 - 1),
            "first" => Index0 == 0,
            "last" => Index0 == n - 1,
            "length" => (long)n,
            "depth" => (long)(Depth0 + 1),
            "depth0" => (long)Depth0,
            "previtem" => Index0 > 0 ? _items[Index0 - 1] : new JinjaUndefined("there is no previous item"),
            "nextitem" => Index0 < n - 1 ? _items[Index0 + 1] : new JinjaUndefined("there is no next item"),
            "cycle" => new JinjaCallable("loop.cycle", args =>
                args.Positional.Count == 0 ? throw new JinjaException("loop.cycle() needs at least one value") : args.Positional[Index0 % args.Positional.Count]),
            "changed" => new JinjaCallable("loop.changed", args =>
            {
                object? v = new JinjaTuple(args.Positional);
                bool changed = _lastChanged == Unset || !JinjaValue.PyEquals(_lastChanged, v);
                _lastChanged = v;
                return changed;
            }),
            _ => JinjaUndefined.Attribute(this, name),
        };
    }
}
