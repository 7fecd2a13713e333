using System.Runtime.InteropServices;
using Hearth.Models;

namespace Hearth.Inference;

/// <summary>
/// Keys and values of every layer for positions [0, <see cref="Capacity"/>), stored as F16 like llama.cpp's default cache
/// (half the memory of F32, and the same rounding llama.cpp applies). Shared by all architectures.
/// Memory: 2 bytes × capacity × Σ over layers (key width + value width): n_head_kv × (head_dim + v_head_dim) for standard
/// attention (per layer when those differ by layer); for latent attention (DeepSeek) the key row is the compressed latent
/// plus the rope key (kv_lora_rank + rope dims) and there is no value row, since values are read from the latent.
/// Layers that share an earlier layer's keys and values (Gemma 4) see that layer's arrays and take no memory; a hybrid
/// model's recurrent layers have no rows here.
/// </summary>
internal sealed class KvCache
{
    private readonly Half[][] _keys;    // per layer: [capacity, key width of the layer]
    private readonly Half[][] _values;  // per layer: [capacity, value width of the layer]
    private readonly int[] _keyWidths;
    private readonly int[] _valueWidths;
    private readonly bool[] _own;       // the layer has its own arrays (not another layer's)

    public KvCache(ModelConfig config, int capacity)
    {
        Capacity = capacity;
        int n = config.BlockCount;
        KeyWidth = config.CacheKeyWidthOf(0);
        ValueWidth = config.CacheValueWidthOf(0);
        _keys = new Half[n][];
        _values = new Half[n][];
        _keyWidths = new int[n];
        _valueWidths = new int[n];
        _own = new bool[n];
        for (int l = 0; l < n; l++)
        {
            int src = config.KvSourceOf(l);
            _keyWidths[l] = config.CacheKeyWidthOf(src);
            _valueWidths[l] = config.CacheValueWidthOf(src);
            _own[l] = src == l;
            if (!_own[l])
            {
                _keys[l] = _keys[src];
                _values[l] = _values[src];
                continue;
            }
            // A hybrid model's recurrent layers keep a RecurrentState instead.
            if (config.IsRecurrentLayer(l))
            {
                _keys[l] = [];
                _values[l] = [];
                _own[l] = false;
                continue;
            }
            _keys[l] = new Half[(long)capacity * _keyWidths[l]];
            _values[l] = new Half[(long)capacity * _valueWidths[l]];
            ByteSize += 2L * capacity * (_keyWidths[l] + _valueWidths[l]);
        }
    }

    public int Capacity { get; }

    /// <summary>Key and value widths of layer 0 (a fingerprint of the layout; see <see cref="KeyWidthOf"/>).</summary>
    public int KeyWidth { get; }

    public int ValueWidth { get; }

    public long ByteSize { get; }

    public int KeyWidthOf(int layer) => _keyWidths[layer];

    public int ValueWidthOf(int layer) => _valueWidths[layer];

    public Span<Half> Keys(int layer, int pos) => _keys[layer].AsSpan(pos * _keyWidths[layer], _keyWidths[layer]);

    public Span<Half> Values(int layer, int pos) => _values[layer].AsSpan(pos * _valueWidths[layer], _valueWidths[layer]);

    /// <summary>Keys of positions [0, count) of one layer. // [count, KeyWidthOf(layer)]</summary>
    public ReadOnlySpan<Half> KeysUpTo(int layer, int count) => _keys[layer].AsSpan(0, count * _keyWidths[layer]);

    /// <summary>Values of positions [0, count) of one layer. // [count, ValueWidthOf(layer)]</summary>
    public ReadOnlySpan<Half> ValuesUpTo(int layer, int count) => _values[layer].AsSpan(0, count * _valueWidths[layer]);

    /// <summary>Writes the keys then the values of positions [0, <paramref name="count"/>) of every layer with its own cache, as raw F16.</summary>
    public void WriteTo(Stream stream, int count)
    {
        for (int l = 0; l < _keys.Length; l++)
        {
            if (!_own[l]) continue;
            stream.Write(MemoryMarshal.AsBytes(KeysUpTo(l, count)));
            stream.Write(MemoryMarshal.AsBytes(ValuesUpTo(l, count)));
        }
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote for <paramref name="count"/> positions.</summary>
    public void ReadFrom(Stream stream, int count)
    {
        for (int l = 0; l < _keys.Length; l++)
        {
            if (!_own[l]) continue;
            stream.ReadExactly(MemoryMarshal.AsBytes(_keys[l].AsSpan(0, count * _keyWidths[l])));
            stream.ReadExactly(MemoryMarshal.AsBytes(_values[l].AsSpan(0, count * _valueWidths[l])));
        }
    }
}
