namespace Hearth.Chat.Jinja;

/// <summary>Arguments of a call: positional then keyword, in source order.</summary>
internal sealed class JinjaArgs
{
    public static readonly JinjaArgs Empty = new([], []);

    public JinjaArgs(List<object?> positional, List<KeyValuePair<string, object?>> named)
    {
        Positional = positional;
        Named = named;
    }

    public List<object?> Positional { get; }

    public List<KeyValuePair<string, object?>> Named { get; }

    /// <summary>The argument at <paramref name="index"/> or named <paramref name="name"/>, else <paramref name="fallback"/>.</summary>
    public object? Get(int index, string name, object? fallback = null)
    {
        foreach (var kv in Named) if (kv.Key == name) return kv.Value;
        return index >= 0 && index < Positional.Count ? Positional[index] : fallback;
    }

    public bool Has(int index, string name)
    {
        foreach (var kv in Named) if (kv.Key == name) return true;
        return index >= 0 && index < Positional.Count;
    }
}

/// <summary>Something a template can call: a global function, a bound method, a macro, <c>caller</c>, <c>loop.cycle</c>.</summary>
internal sealed class JinjaCallable
{
    public JinjaCallable(string name, Func<JinjaArgs, object?> invoke)
    {
        Name = name;
        Invoke = invoke;
    }

    public string Name { get; }

    public Func<JinjaArgs, object?> Invoke { get; }
}
