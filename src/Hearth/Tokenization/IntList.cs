namespace Hearth.Tokenization;

/// <summary>A growable int buffer (token ids, offsets) that can be cleared and reused without reallocating.</summary>
internal sealed class IntList
{
    private int[] _items;

    public IntList(int capacity = 64) => _items = new int[Math.Max(4, capacity)];

    public int Count { get; private set; }

    public int this[int index]
    {
        get => _items[index];
        set => _items[index] = value;
    }

    public Span<int> AsSpan() => _items.AsSpan(0, Count);

    public void Add(int value)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        _items[Count++] = value;
    }

    public void Clear() => Count = 0;

    /// <summary>Drops items past <paramref name="count"/>.</summary>
    public void Truncate(int count) => Count = Math.Min(Count, count);

    public int[] ToArray() => _items.AsSpan(0, Count).ToArray();
}
