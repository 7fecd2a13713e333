using System.Numerics.Tensors;
using Hearth.Inference;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// Causal grouped-query attention for a batch. Token t at position p of its sequence sees positions 0..p of that
/// sequence's cache (only the last <c>window</c> of them in a sliding-window layer); head h reads kv head
/// h / (n_head / n_head_kv). Scores are q·k, soft-capped by tanh when asked (Gemma 2), then scaled. One chunk is
/// (kv head, block of tokens, group of the query heads sharing that kv head): the chunk converts its kv head's F16 keys
/// and values to float once and every token and query head of the chunk reuses them (converting per token and head made
/// attention half of a 512-token prompt's time).
/// </summary>
internal sealed class AttentionJob : IParallelJob
{
    private ModelConfig _c = null!;
    private ForwardBuffers _buf = null!;
    private int _layer;
    private float _scale;
    private float _softcap;
    private int _window;
    private float[]? _sinks;
    private int _tokens;
    private int _tokensPerChunk;
    private int _blocks;
    private int _headSplit;
    private int _kvHeads;
    private int _hd;
    private int _vhd;
    private float[][] _keys = [];   // per thread: [context, head_dim] one kv head's keys as float
    private float[][] _values = []; // per thread: [context, v_head_dim]
    private Half[][] _half = [];    // per thread: [max(context, head_dim)] F16 round-trip scratch

    public int ChunkCount { get; private set; }

    /// <param name="c">The model's hyper-parameters.</param>
    /// <param name="buf">The batch: queries, positions, caches, output.</param>
    /// <param name="layer">Layer whose cache is read.</param>
    /// <param name="nTokens">Tokens in the batch.</param>
    /// <param name="scale">Factor on the scores (1 when the queries were scaled already).</param>
    /// <param name="softcap">Scores become softcap · tanh(score / softcap) before scaling; 0 = none.</param>
    /// <param name="window">Sliding window in positions; 0 = the whole context.</param>
    /// <param name="sinks">Per-head sink logits that join each softmax (gpt-oss), or null. // [n_head]</param>
    /// <param name="queryLayer">The layer whose geometry (kv heads, head sizes) applies; default <paramref name="layer"/>
    /// (differs when the layer attends over another layer's cache).</param>
    public void Set(ModelConfig c, ForwardBuffers buf, int layer, int nTokens, float scale, float softcap = 0, int window = 0, float[]? sinks = null,
        int queryLayer = -1)
    {
        _sinks = sinks;
        _c = c;
        _buf = buf;
        _layer = layer;
        _tokens = nTokens;
        _scale = scale;
        _softcap = softcap;
        _window = window;
        if (queryLayer < 0) queryLayer = layer;
        _kvHeads = c.KvHeadsOf(queryLayer);
        _hd = c.HeadDimOf(queryLayer);
        _vhd = c.ValueHeadDimOf(queryLayer);
        int threads = buf.Scores.Length;
        int kvHeads = _kvHeads, group = c.HeadCount / kvHeads;
        // Enough chunks for every thread several times over, but blocks of up to 32 tokens to share the conversion.
        _tokensPerChunk = Math.Clamp(nTokens * kvHeads / (threads * 4), 1, 32);
        _blocks = (nTokens + _tokensPerChunk - 1) / _tokensPerChunk;
        _headSplit = Math.Clamp((threads * 2 + kvHeads * _blocks - 1) / (kvHeads * _blocks), 1, group);
        ChunkCount = kvHeads * _blocks * _headSplit;
        int cap = buf.ContextCapacity;
        int hdMax = c.MaxHeadDim, vhdMax = c.MaxValueHeadDim;
        int halfLength = Math.Max(cap, Math.Max(hdMax, vhdMax));
        if (_keys.Length != threads || _keys[0].Length < cap * hdMax || _values[0].Length < cap * vhdMax
            || _half[0].Length < halfLength)
        {
            // Sized once per context size (not per token): no allocation in the steady state.
            _keys = new float[threads][];
            _values = new float[threads][];
            _half = new Half[threads][];
            for (int i = 0; i < threads; i++)
            {
                _keys[i] = new float[cap * hdMax];
                _values[i] = new float[cap * vhdMax];
                _half[i] = new Half[halfLength];
            }
        }
    }

    /// <summary>
    /// llama.cpp multiplies the F16 cache with F16 copies of the queries and of the softmax weights (F16's vec-dot type is
    /// F16); rounding the same operands keeps Hearth's logits within ~1e-3 of llama.cpp's instead of ~4e-3.
    /// </summary>
    // x: [n] rounded in place; scratch: at least [n].
    private static void RoundToHalf(Span<float> x, Span<Half> scratch)
    {
        // Vectorised conversions both ways (a scalar (Half) cast is a software routine per element).
        var h = scratch[..x.Length];
        TensorPrimitives.ConvertToHalf(x, h);
        TensorPrimitives.ConvertToSingle(h, x);
    }

    public void Execute(int chunk, int threadIndex)
    {
        var c = _c;
        int kvHeads = _kvHeads, group = c.HeadCount / kvHeads;
        int sg = chunk % _headSplit, rest = chunk / _headSplit;
        int kvh = rest % kvHeads, block = rest / kvHeads;
        int groupSize = (group + _headSplit - 1) / _headSplit;
        int h0 = kvh * group + sg * groupSize, h1 = kvh * group + Math.Min(group, (sg + 1) * groupSize);
        int t0 = block * _tokensPerChunk, t1 = Math.Min(_tokens, t0 + _tokensPerChunk);
        int hd = _hd, vhd = _vhd;
        float scale = _scale, cap = _softcap;
        var kf = _keys[threadIndex];
        var vf = _values[threadIndex];
        var scoreBuf = _buf.Scores[threadIndex];
        var half = _half[threadIndex];
        KvCache? current = null;
        int have = 0;
        for (int t = t0; t < t1; t++)
        {
            var cache = _buf.TokenCache[t];
            int count = _buf.TokenPos[t] + 1;
            if (!ReferenceEquals(cache, current))
            {
                current = cache;
                have = 0;
            }
            if (count > have)
            {
                var keys = cache.KeysUpTo(_layer, count);
                var values = cache.ValuesUpTo(_layer, count);
                int kw = cache.KeyWidthOf(_layer), vw = cache.ValueWidthOf(_layer);
                for (int j = have; j < count; j++)
                {
                    TensorPrimitives.ConvertToSingle(keys.Slice(j * kw + kvh * hd, hd), kf.AsSpan(j * hd, hd));
                    TensorPrimitives.ConvertToSingle(values.Slice(j * vw + kvh * vhd, vhd), vf.AsSpan(j * vhd, vhd));
                }
                have = count;
            }
            int first = _window > 0 ? Math.Max(0, count - _window) : 0;
            for (int h = h0; h < h1; h++)
            {
                var q = _buf.Q.AsSpan(t * c.HeadCount * hd + h * hd, hd);
                RoundToHalf(q, half);
                var scores = scoreBuf.AsSpan(0, count - first);
                var keys = kf.AsSpan(first * hd, (count - first) * hd);
                if (cap == 0)
                {
                    AttentionKernels.Scores(q, keys, hd, scale, scores);
                }
                else
                {
                    // cap · tanh(score / cap), then the scale, in ggml's order.
                    AttentionKernels.Scores(q, keys, hd, 1.0f / cap, scores);
                    TensorPrimitives.Tanh(scores, scores);
                    TensorPrimitives.Multiply(scores, cap, scores);
                    TensorPrimitives.Multiply(scores, scale, scores);
                }
                if (_sinks is null) VectorOps.Softmax(scores);
                else VectorOps.SoftmaxWithSink(scores, _sinks[h]);
                RoundToHalf(scores, half);
                AttentionKernels.WeightedSum(scores, vf.AsSpan(first * vhd, (count - first) * vhd), vhd,
                    _buf.AttnOut.AsSpan(t * c.HeadCount * vhd + h * vhd, vhd));
            }
        }
    }
}
