using System.Runtime.CompilerServices;
using Hearth.Gguf;

namespace Hearth.Tokenization;

/// <summary>
/// Token texts as UTF-8 byte strings in one blob, with an open-addressing hash index so a byte span finds its id
/// without allocating. When two ids share a text the later id wins, as a map assignment in llama.cpp does.
/// </summary>
internal sealed class ByteStringTable
{
    private readonly byte[] _blob;
    private readonly int[] _offsets; // [count + 1]
    private readonly int[] _slots;   // id + 1, 0 = empty
    private readonly int _mask;

    public ByteStringTable(IReadOnlyList<byte[]> strings)
    {
        Count = strings.Count;
        long total = 0;
        for (int i = 0; i < strings.Count; i++) total += strings[i].Length;
        if (total > Array.MaxLength) throw new ModelConfigurationException($"The vocabulary's token texts take {total} bytes, more than this tokenizer supports.");
        _blob = new byte[total];
        _offsets = new int[Count + 1];
        int at = 0;
        for (int i = 0; i < strings.Count; i++)
        {
            _offsets[i] = at;
            strings[i].CopyTo(_blob, at);
            at += strings[i].Length;
            MaxLength = Math.Max(MaxLength, strings[i].Length);
        }
        _offsets[Count] = at;

        int capacity = 16;
        while (capacity < Count * 2) capacity <<= 1;
        _slots = new int[capacity];
        _mask = capacity - 1;
        for (int id = 0; id < Count; id++)
        {
            var key = Get(id);
            int slot = (int)Hash(key) & _mask;
            while (true)
            {
                int existing = _slots[slot] - 1;
                if (existing < 0) { _slots[slot] = id + 1; break; }
                if (Get(existing).SequenceEqual(key)) { _slots[slot] = id + 1; break; }
                slot = (slot + 1) & _mask;
            }
        }
    }

    public int Count { get; }

    /// <summary>Length in bytes of the longest text.</summary>
    public int MaxLength { get; }

    public ReadOnlySpan<byte> Get(int id) => _blob.AsSpan(_offsets[id], _offsets[id + 1] - _offsets[id]);

    /// <summary>The id whose text is exactly <paramref name="key"/>, or -1.</summary>
    public int Find(ReadOnlySpan<byte> key)
    {
        int slot = (int)Hash(key) & _mask;
        while (true)
        {
            int id = _slots[slot] - 1;
            if (id < 0) return -1;
            int start = _offsets[id];
            if (_offsets[id + 1] - start == key.Length && _blob.AsSpan(start, key.Length).SequenceEqual(key)) return id;
            slot = (slot + 1) & _mask;
        }
    }

    // FNV-1a with a final avalanche: token texts are short, so a byte loop is as fast as anything wider.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(ReadOnlySpan<byte> key)
    {
        uint h = 2166136261;
        foreach (byte b in key) h = (h ^ b) * 16777619;
        h ^= h >> 15;
        h *= 0x2c1b3c6d;
        h ^= h >> 12;
        return h;
    }
}
