namespace Hearth.Chat.Jinja;

/// <summary>
/// A Python dict: insertion-ordered, keys compared as Python does (1, 1.0 and True are the same key).
/// JSON objects and <c>{...}</c> literals become this.
/// </summary>
internal sealed class JinjaDict
{
    private readonly OrderedDictionary<object, object?> _items = new(KeyComparer.Instance);

    public int Count => _items.Count;

    public IEnumerable<KeyValuePair<object, object?>> Items => _items;

    public IEnumerable<object> Keys => _items.Keys;

    public IEnumerable<object?> Values => _items.Values;

    public object? this[string key]
    {
        set => _items[key] = value;
    }

    public bool TryGet(object? key, out object? value)
    {
        value = null;
        return key != null && _items.TryGetValue(key, out value);
    }

    public bool ContainsKey(object? key) => key != null && _items.ContainsKey(key);

    public void Set(object? key, object? value)
    {
        if (key == null) throw new JinjaException("a dict key cannot be none here");
        _items[key] = value;
    }

    public bool Remove(object? key) => key != null && _items.Remove(key);

    public JinjaDict Clone()
    {
        var d = new JinjaDict();
        foreach (var kv in _items) d._items[kv.Key] = kv.Value;
        return d;
    }

    private sealed class KeyComparer : IEqualityComparer<object>
    {
        public static readonly KeyComparer Instance = new();

        public new bool Equals(object? x, object? y) => JinjaValue.PyEquals(x, y);

        public int GetHashCode(object obj) => obj switch
        {
            bool b => b ? 1 : 0,
            long l => l.GetHashCode(),
            double d when d == Math.Floor(d) && Math.Abs(d) < 9e18 => ((long)d).GetHashCode(),
            string s => StringComparer.Ordinal.GetHashCode(s),
            _ => obj.GetHashCode(),
        };
    }
}
