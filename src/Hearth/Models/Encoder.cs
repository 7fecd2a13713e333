using System.Numerics.Tensors;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// The bidirectional encoder of BERT-family models (<c>bert</c>, <c>nomic-bert</c>), as llama.cpp's bert graph computes
/// it: token + type-0 (+ absolute position) embeddings and a LayerNorm, then per block full attention within each
/// sequence (no mask, no cache), output projection, residual add and LayerNorm, a feed-forward (GELU, or SiLU-gated for
/// nomic-bert), residual add and LayerNorm. Many sequences run in one pass; each token attends only to its own
/// sequence. Scratch grows with the largest batch and is reused; call under the model's compute lock.
/// </summary>
internal sealed class Encoder
{
    private readonly ModelConfig _c;
    private readonly EncoderWeights _w;
    private readonly Rope? _rope;                 // nomic-bert: NeoX rotary positions instead of position_embd
    private readonly Projector _projector = new();
    private readonly RowJob _rows = new();
    private readonly EncoderAttentionJob _attention = new();
    private float[] _x = [], _xb = [], _q = [], _k = [], _v = [], _attn = [], _up = [], _gate = [];
    private byte[] _quantized = [];
    private int[] _positions = [];
    private int _capacity;

    public Encoder(ModelConfig config, EncoderWeights weights, Rope? rope)
    {
        _c = config;
        _w = weights;
        _rope = rope;
    }

    public EncoderWeights Weights => _w;

    /// <summary>
    /// Runs <paramref name="tokens"/>, the concatenation of sequences of the given <paramref name="lengths"/>, and writes
    /// the final hidden state of every token to <paramref name="hidden"/> (// [n_tokens, n_embd]).
    /// </summary>
    public void Forward(ReadOnlySpan<int> tokens, ReadOnlySpan<int> lengths, WorkerPool pool, Span<float> hidden)
    {
        var c = _c;
        int n = tokens.Length, d = c.EmbeddingLength;
        Ensure(n);
        int t0 = 0;
        foreach (int len in lengths)
        {
            if (len <= 0) throw new ArgumentException("Every sequence needs at least one token.", nameof(lengths));
            if (len > c.ContextLength && _w.PositionEmbedding != null)
            {
                throw new ArgumentException($"An input of {len} tokens is longer than the model's {c.ContextLength} positions.", nameof(lengths));
            }
            for (int i = 0; i < len; i++) _positions[t0 + i] = i;
            t0 += len;
        }
        if (t0 != n) throw new ArgumentException($"The sequence lengths add up to {t0}, not the {n} tokens given.", nameof(lengths));

        // Embeddings: (token + type 0) + position, then LayerNorm (ggml's order of the adds).
        var x = _x.AsSpan(0, n * d);
        var row = _xb.AsSpan(0, d);
        for (int t = 0; t < n; t++)
        {
            int id = tokens[t];
            if ((uint)id >= (uint)c.VocabSize) throw new ArgumentOutOfRangeException(nameof(tokens), $"Token id {id} is outside the vocabulary (0..{c.VocabSize - 1}).");
            var xt = x.Slice(t * d, d);
            _w.TokenEmbedding.DequantizeRow(id, xt);
            if (_w.TypeEmbedding != null) TensorPrimitives.Add(xt, _w.TypeEmbedding, xt);
            if (_w.PositionEmbedding != null)
            {
                _w.PositionEmbedding.DequantizeRow(_positions[t], row);
                TensorPrimitives.Add(row, xt, xt);
            }
        }
        LayerNormRows(pool, _x, _w.EmbeddingNorm, _w.EmbeddingNormBias, _x, n);

        int kvDim = c.HeadCountKv * c.HeadDim;
        foreach (var L in _w.Layers)
        {
            Linear(pool, _x, n, L.Wq, _q, L.Wk, _k, L.Wv, _v);
            var layer = L;
            _rows.ForRows(pool, n, 4L * n * (d + 2 * kvDim), (r0, r1) => PrepareAttention(layer, r0, r1));
            _attention.Set(c, _q, _k, _v, _attn, lengths, pool.ThreadCount);
            pool.Run(_attention, _attention.ChunkCount, (long)n * c.HeadCount * c.HeadDim * 64);
            Linear(pool, _attn, n, L.Wo, _xb);
            _rows.ForRows(pool, n, 8L * n * d, (r0, r1) =>
            {
                for (int t = r0; t < r1; t++)
                {
                    var o = _xb.AsSpan(t * d, d);
                    if (layer.Bo != null) TensorPrimitives.Add(o, layer.Bo, o);
                    TensorPrimitives.Add(o, _x.AsSpan(t * d, d), o);
                    VectorOps.LayerNorm(o, layer.AttnOutNorm, layer.AttnOutNormBias, c.LayerNormEps, _x.AsSpan(t * d, d));
                }
            });
            FeedForward(pool, layer, n);
        }
        x.CopyTo(hidden);
    }

    // Biases on q/k/v and rotary positions (nomic-bert), per token.
    private void PrepareAttention(EncoderLayerWeights L, int r0, int r1)
    {
        var c = _c;
        int d = c.HeadCount * c.HeadDim, kv = c.HeadCountKv * c.HeadDim;
        for (int t = r0; t < r1; t++)
        {
            var q = _q.AsSpan(t * d, d);
            var k = _k.AsSpan(t * kv, kv);
            var v = _v.AsSpan(t * kv, kv);
            if (L.Bq != null) TensorPrimitives.Add(q, L.Bq, q);
            if (L.Bk != null) TensorPrimitives.Add(k, L.Bk, k);
            if (L.Bv != null) TensorPrimitives.Add(v, L.Bv, v);
            if (_rope != null)
            {
                _rope.Apply(q, c.HeadCount, c.HeadDim, _positions[t]);
                _rope.Apply(k, c.HeadCountKv, c.HeadDim, _positions[t]);
            }
        }
    }

    // x = LayerNorm(x + ffn(x)): GELU(up·x + b) for bert, SiLU(gate·x) · (up·x) for nomic-bert.
    private void FeedForward(WorkerPool pool, EncoderLayerWeights L, int n)
    {
        var c = _c;
        int d = c.EmbeddingLength, ff = c.FeedForwardLength;
        if (L.Up is null) throw new NotSupportedException("Mixture-of-experts encoder blocks (nomic-bert-moe) are not supported yet.");
        if (L.Gate != null)
        {
            Linear(pool, _x, n, L.Gate, _gate, L.Up, _up);
            _rows.Glu(pool, FeedForwardActivation.Silu, _gate, _up, n, ff);
        }
        else
        {
            Linear(pool, _x, n, L.Up, _gate);
            _rows.ForRows(pool, n, 16L * n * ff, (r0, r1) =>
            {
                for (int t = r0; t < r1; t++)
                {
                    var g = _gate.AsSpan(t * ff, ff);
                    if (L.UpBias != null) TensorPrimitives.Add(g, L.UpBias, g);
                    GeluTanh.Apply(g);
                }
            });
        }
        Linear(pool, _gate, n, L.Down!, _xb);
        _rows.ForRows(pool, n, 8L * n * d, (r0, r1) =>
        {
            for (int t = r0; t < r1; t++)
            {
                var o = _xb.AsSpan(t * d, d);
                if (L.DownBias != null) TensorPrimitives.Add(o, L.DownBias, o);
                TensorPrimitives.Add(o, _x.AsSpan(t * d, d), o);
                VectorOps.LayerNorm(o, L.OutNorm, L.OutNormBias, c.LayerNormEps, _x.AsSpan(t * d, d));
            }
        });
    }

    private void LayerNormRows(WorkerPool pool, float[] x, float[] weight, float[] bias, float[] y, int n)
    {
        int d = _c.EmbeddingLength;
        float eps = _c.LayerNormEps;
        _rows.ForRows(pool, n, 6L * n * d, (r0, r1) =>
        {
            for (int t = r0; t < r1; t++) VectorOps.LayerNorm(x.AsSpan(t * d, d), weight, bias, eps, y.AsSpan(t * d, d));
        });
    }

    /// <summary>y_i = x·W_iᵀ for up to three matrices of one input (the shared <see cref="Projector"/>).</summary>
    internal void Linear(WorkerPool pool, float[] input, int n, WeightMatrix w0, float[] y0,
        WeightMatrix? w1 = null, float[]? y1 = null, WeightMatrix? w2 = null, float[]? y2 = null)
    {
        long need = Math.Max(Projector.ScratchBytes(w0, n), Math.Max(w1 is null ? 0 : Projector.ScratchBytes(w1, n), w2 is null ? 0 : Projector.ScratchBytes(w2, n)));
        if (_quantized.Length < need) _quantized = new byte[need];
        _projector.Project(pool, input, n, _quantized, w0, y0, w1, y1, w2, y2);
    }

    private void Ensure(int n)
    {
        if (n <= _capacity) return;
        var c = _c;
        int d = c.EmbeddingLength, kv = c.HeadCountKv * c.HeadDim, ff = c.FeedForwardLength;
        int cap = Math.Max(n, _capacity * 2);
        _x = new float[checked(cap * d)];
        _xb = new float[checked(cap * Math.Max(d, c.ClassifierOutputs))];
        _q = new float[checked(cap * c.HeadCount * c.HeadDim)];
        _k = new float[checked(cap * kv)];
        _v = new float[checked(cap * kv)];
        _attn = new float[checked(cap * c.HeadCount * c.HeadDim)];
        _up = new float[checked(cap * ff)];
        _gate = new float[checked(cap * ff)];
        _positions = new int[cap];
        _capacity = cap;
    }
}
