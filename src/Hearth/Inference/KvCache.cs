using System.Runtime.InteropServices;
using Hearth.Models;

namespace Hearth.Inference;

/// <summary>
/// Keys and values of every layer for positions [0, <see cref="Capacity"/>), stored as F16 like llama.cpp's default cache
/// (half the memory of F32, and the same rounding llama.cpp applies). Shared by all architectures.
/// Memory: 2 bytes × layers × capacity × (n_head_kv × (head_dim + v_head_dim)).
/// </summary>
internal sealed class KvCache
{
    private readonly Half[][] _keys;    // per layer: [capacity, n_head_kv * head_dim]
    private readonly Half[][] _values;  // per layer: [capacity, n_head_kv * v_head_dim]

    public KvCache(ModelConfig config, int capacity)
    {
        Capacity = capacity;
        KeyWidth = config.HeadCountKv * config.HeadDim;
        ValueWidth = config.HeadCountKv * config.ValueHeadDim;
        _keys = new Half[config.BlockCount][];
        _values = new Half[config.BlockCount][];
        for (int l = 0; l < config.BlockCount; l++)
        {
            _keys[l] = new Half[(long)capacity * KeyWidth];
            _values[l] = new Half[(long)capacity * ValueWidth];
        }
    }

    public int Capacity { get; }

    public int KeyWidth { get; }

    public int ValueWidth { get; }

    public long ByteSize => 2L * _keys.Length * Capacity * (KeyWidth + ValueWidth);

    public Span<Half> Keys(int layer, int pos) => _keys[layer].AsSpan(pos * KeyWidth, KeyWidth);

    public Span<Half> Values(int layer, int pos) => _values[layer].AsSpan(pos * ValueWidth, ValueWidth);

    /// <summary>Keys of positions [0, count) of one layer. // [count, KeyWidth]</summary>
    public ReadOnlySpan<Half> KeysUpTo(int layer, int count) => _keys[layer].AsSpan(0, count * KeyWidth);

    /// <summary>Values of positions [0, count) of one layer. // [count, ValueWidth]</summary>
    public ReadOnlySpan<Half> ValuesUpTo(int layer, int count) => _values[layer].AsSpan(0, count * ValueWidth);

    /// <summary>Writes the keys then the values of positions [0, <paramref name="count"/>) of every layer, as raw F16.</summary>
    public void WriteTo(Stream stream, int count)
    {
        for (int l = 0; l < _keys.Length; l++)
        {
            stream.Write(MemoryMarshal.AsBytes(KeysUpTo(l, count)));
            stream.Write(MemoryMarshal.AsBytes(ValuesUpTo(l, count)));
        }
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote for <paramref name="count"/> positions.</summary>
    public void ReadFrom(Stream stream, int count)
    {
        for (int l = 0; l < _keys.Length; l++)
        {
            stream.ReadExactly(MemoryMarshal.AsBytes(_keys[l].AsSpan(0, count * KeyWidth)));
            stream.ReadExactly(MemoryMarshal.AsBytes(_values[l].AsSpan(0, count * ValueWidth)));
        }
    }
}
