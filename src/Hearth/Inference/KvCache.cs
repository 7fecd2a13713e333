using System.Runtime.InteropServices;
using Hearth.Models;

namespace Hearth.Inference;

/// <summary>
/// Keys and values of every layer for positions [0, <see cref="Capacity"/>), stored as F16 like llama.cpp's default cache
/// (half the memory of F32, and the same rounding llama.cpp applies). Shared by all architectures.
/// Memory: 2 bytes × layers × capacity × (key width + value width): n_head_kv × (head_dim + v_head_dim) for standard
/// attention; for latent attention (DeepSeek) the key row is the compressed latent plus the rope key
/// (kv_lora_rank + rope dims) and there is no value row, since values are read from the latent. A hybrid model's recurrent
/// layers have no rows here.
/// </summary>
internal sealed class KvCache
{
    private readonly Half[][] _keys;    // per layer: [capacity, n_head_kv * head_dim]
    private readonly Half[][] _values;  // per layer: [capacity, n_head_kv * v_head_dim]

    public KvCache(ModelConfig config, int capacity)
    {
        Capacity = capacity;
        KeyWidth = config.CacheKeyWidth;
        ValueWidth = config.CacheValueWidth;
        _keys = new Half[config.BlockCount][];
        _values = new Half[config.BlockCount][];
        for (int l = 0; l < config.BlockCount; l++)
        {
            // A hybrid model's recurrent layers keep a RecurrentState instead.
            bool attends = !config.IsRecurrentLayer(l);
            _keys[l] = attends ? new Half[(long)capacity * KeyWidth] : [];
            _values[l] = attends ? new Half[(long)capacity * ValueWidth] : [];
            if (attends) ByteSize += 2L * capacity * (KeyWidth + ValueWidth);
        }
    }

    public int Capacity { get; }

    public int KeyWidth { get; }

    public int ValueWidth { get; }

    public long ByteSize { get; }

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
            if (_keys[l].Length == 0) continue;
            stream.Write(MemoryMarshal.AsBytes(KeysUpTo(l, count)));
            stream.Write(MemoryMarshal.AsBytes(ValuesUpTo(l, count)));
        }
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote for <paramref name="count"/> positions.</summary>
    public void ReadFrom(Stream stream, int count)
    {
        for (int l = 0; l < _keys.Length; l++)
        {
            if (_keys[l].Length == 0) continue;
            stream.ReadExactly(MemoryMarshal.AsBytes(_keys[l].AsSpan(0, count * KeyWidth)));
            stream.ReadExactly(MemoryMarshal.AsBytes(_values[l].AsSpan(0, count * ValueWidth)));
        }
    }
}
