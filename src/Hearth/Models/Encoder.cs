using System.Numerics.Tensors;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// The bidirectional encoder of BERT-family models (<c>bert</c>, <c>nomic-bert</c>, <c>nomic-bert-moe</c>,
/// <c>jina-bert-v2</c>), as llama.cpp's bert graph computes it: token + type-0 (+ absolute position) embeddings and a
/// LayerNorm, then per block full attention within each sequence (no cache; rotary positions, or ALiBi biases for
/// jina-bert-v2), output projection, residual add and LayerNorm, a feed-forward (GELU; SiLU-gated for nomic-bert;
/// GELU-gated for jina-bert-v2; a softmax-routed mixture of GELU experts in nomic-bert-moe's expert blocks), residual add
/// and LayerNorm. Many sequences run in one pass; each token attends only to its own sequence. Scratch grows with the
/// largest batch and is reused; call under the model's compute lock.
/// </summary>
internal sealed class Encoder
{
    private readonly ModelConfig _c;
    private readonly EncoderWeights _w;
    private readonly Rope? _rope;                 // nomic-bert: NeoX rotary positions instead of position_embd
    private readonly float[]? _alibi;             // jina-bert-v2: [n_head] ALiBi slopes (max bias 8)
    private readonly Rope? _ropeLocal;            // modern-bert: the sliding-window layers' rope (their own base)
    private readonly float[] _zeros;              // [n_embd] the bias of a bias-free LayerNorm
    private readonly Projector _projector = new();
    private readonly RowJob _rows = new();
    private readonly EncoderAttentionJob _attention = new();
    private float[] _x = [], _xb = [], _q = [], _k = [], _v = [], _attn = [], _up = [], _gate = [];
    private float[] _routerLogits = [], _gathered = [], _expertDown = [], _expertOut = []; // nomic-bert-moe scratch
    private int[] _routes = [];                   // [n_tokens, n_expert_used] chosen experts
    private float[] _routeWeights = [];           // [n_tokens, n_expert_used] their probabilities
    private int[] _expertTokens = [];             // the (token, slot) pairs one expert serves, as token * k + slot
    private byte[] _quantized = [];
    private int[] _positions = [];
    private int _capacity;

    public Encoder(ModelConfig config, EncoderWeights weights, Rope? rope)
    {
        _c = config;
        _w = weights;
        _rope = rope;
        if (weights.Kind == EncoderKind.JinaBertV2) _alibi = AlibiSlopes(config.HeadCount, 8f);
        if (weights.Kind == EncoderKind.ModernBert && rope != null)
        {
            _ropeLocal = new Rope(config.RopeDimensionCount, RopeStyle.NeoX, config.RopeFreqBaseSwa, config.RopeFreqScaleSwa, null);
        }
        _zeros = new float[config.EmbeddingLength];
    }

    /// <summary>ggml's ALiBi slopes: m0^(h+1) for the first 2^floor(log2 n) heads, then odd powers of m1.</summary>
    internal static float[] AlibiSlopes(int heads, float maxBias)
    {
        int log2 = 1 << (int)Math.Floor(Math.Log2(heads));
        float m0 = MathF.Pow(2f, -maxBias / log2), m1 = MathF.Pow(2f, -(maxBias / 2f) / log2);
        var slopes = new float[heads];
        for (int h = 0; h < heads; h++) slopes[h] = h < log2 ? MathF.Pow(m0, h + 1) : MathF.Pow(m1, 2 * (h - log2) + 1);
        return slopes;
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
        if (_w.ModernLayers != null)
        {
            ModernBlocks(pool, lengths, n);
            x.CopyTo(hidden);
            return;
        }

        int kvDim = c.HeadCountKv * c.HeadDim;
        foreach (var L in _w.Layers)
        {
            Linear(pool, _x, n, L.Wq, _q, L.Wk, _k, L.Wv, _v);
            var layer = L;
            _rows.ForRows(pool, n, 4L * n * (d + 2 * kvDim), (r0, r1) => PrepareAttention(layer, r0, r1));
            _attention.Set(c, _q, _k, _v, _attn, lengths, pool.ThreadCount, _alibi);
            pool.Run(_attention, _attention.ChunkCount, (long)n * c.HeadCount * c.HeadDim * 64);
            Linear(pool, _attn, n, L.Wo, _xb);
            _rows.ForRows(pool, n, 8L * n * d, (r0, r1) =>
            {
                for (int t = r0; t < r1; t++)
                {
                    var o = _xb.AsSpan(t * d, d);
                    var input = _x.AsSpan(t * d, d);
                    if (layer.Bo != null) TensorPrimitives.Add(o, layer.Bo, o);
                    TensorPrimitives.Add(o, input, o);
                    VectorOps.LayerNorm(o, layer.AttnOutNorm, layer.AttnOutNormBias, c.LayerNormEps, layer.AttnNorm2 is null ? input : o);
                    if (layer.AttnNorm2 != null)
                    {
                        // jina-bert-v2: the block input is added again and normalised a second time.
                        TensorPrimitives.Add(o, input, o);
                        VectorOps.LayerNorm(o, layer.AttnNorm2, layer.AttnNorm2Bias!, c.LayerNormEps, input);
                    }
                }
            });
            FeedForward(pool, layer, n);
        }
        x.CopyTo(hidden);
    }

    // ModernBERT's pre-norm blocks (no biases): x += Wo·attn(rope(LN(x))) over the whole sequence (global layers) or a
    // symmetric window (local layers, their own rope base); x += down·GLU(up·LN(x)); then the final LayerNorm.
    private void ModernBlocks(WorkerPool pool, ReadOnlySpan<int> lengths, int n)
    {
        var c = _c;
        int d = c.EmbeddingLength, ff = c.FeedForwardLength, qDim = c.HeadCount * c.HeadDim, kvDim = c.HeadCountKv * c.HeadDim;
        var layers = _w.ModernLayers!;
        for (int l = 0; l < layers.Length; l++)
        {
            var L = layers[l];
            bool local = c.IsSlidingLayer(l);
            var rope = local ? _ropeLocal! : _rope!;
            float[] input = _x;
            if (L.AttnNorm != null)
            {
                LayerNormRows(pool, _x, L.AttnNorm, _zeros, _xb, n);
                input = _xb;
            }
            Linear(pool, input, n, L.Wq, _q, L.Wk, _k, L.Wv, _v);
            _rows.ForRows(pool, n, 4L * n * (qDim + kvDim), (r0, r1) =>
            {
                for (int t = r0; t < r1; t++)
                {
                    rope.Apply(_q.AsSpan(t * qDim, qDim), c.HeadCount, c.HeadDim, _positions[t]);
                    rope.Apply(_k.AsSpan(t * kvDim, kvDim), c.HeadCountKv, c.HeadDim, _positions[t]);
                }
            });
            _attention.Set(c, _q, _k, _v, _attn, lengths, pool.ThreadCount, null, local ? c.SlidingWindow : 0);
            pool.Run(_attention, _attention.ChunkCount, (long)n * c.HeadCount * c.HeadDim * 64);
            Linear(pool, _attn, n, L.Wo, _xb);
            _rows.Add(pool, _x, _xb, n, d);
            LayerNormRows(pool, _x, L.FfnNorm, _zeros, _xb, n);
            Linear(pool, _xb, n, L.Up, _up);
            var activation = c.EncoderActivation;
            _rows.ForRows(pool, n, 16L * n * ff, (r0, r1) =>
            {
                for (int t = r0; t < r1; t++)
                {
                    // up·x is [gate; up]: the activation of the first half times the second (ggml's geglu / swiglu).
                    var both = _up.AsSpan(t * 2 * ff, 2 * ff);
                    var g = _gate.AsSpan(t * ff, ff);
                    both[..ff].CopyTo(g);
                    if (activation == FeedForwardActivation.Silu) VectorOps.SwiGlu(g, both[ff..]);
                    else GeluTanh.Glu(g, both[ff..]);
                }
            });
            Linear(pool, _gate, n, L.Down, _xb);
            _rows.Add(pool, _x, _xb, n, d);
        }
        LayerNormRows(pool, _x, _w.OutputNorm!, _zeros, _x, n);
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
            if (L.QNorm != null) VectorOps.LayerNorm(q, L.QNorm, L.QNormBias!, c.LayerNormEps, q);
            if (L.KNorm != null) VectorOps.LayerNorm(k, L.KNorm, L.KNormBias!, c.LayerNormEps, k);
            if (_rope != null)
            {
                _rope.Apply(q, c.HeadCount, c.HeadDim, _positions[t]);
                _rope.Apply(k, c.HeadCountKv, c.HeadDim, _positions[t]);
            }
        }
    }

    // x = LayerNorm(x + ffn(x)): GELU(up·x + b) for bert, SiLU(gate·x) · (up·x) for nomic-bert, GELU(gate·x) · (up·x + b)
    // for jina-bert-v2 (the gate may be the first half of up), experts for nomic-bert-moe's expert blocks.
    private void FeedForward(WorkerPool pool, EncoderLayerWeights L, int n)
    {
        var c = _c;
        int d = c.EmbeddingLength, ff = c.FeedForwardLength;
        if (L.Up is null)
        {
            Experts(pool, L, n);
        }
        else if (L.Gate != null)
        {
            Linear(pool, _x, n, L.Gate, _gate, L.Up, _up);
            if (L.UpBias != null) _rows.ForRows(pool, n, (long)n * ff, (r0, r1) =>
            {
                for (int t = r0; t < r1; t++) TensorPrimitives.Add(_up.AsSpan(t * ff, ff), L.UpBias, _up.AsSpan(t * ff, ff));
            });
            _rows.Glu(pool, _w.Kind == EncoderKind.JinaBertV2 ? FeedForwardActivation.GeluTanh : FeedForwardActivation.Silu, _gate, _up, n, ff);
        }
        else if (L.UpHoldsGate)
        {
            // up·x + b is [gate; up] per token: GELU of the first half times the second (ggml's geglu).
            Linear(pool, _x, n, L.Up, _up);
            _rows.ForRows(pool, n, 16L * n * ff, (r0, r1) =>
            {
                for (int t = r0; t < r1; t++)
                {
                    var both = _up.AsSpan(t * 2 * ff, 2 * ff);
                    if (L.UpBias != null) TensorPrimitives.Add(both, L.UpBias, both);
                    var g = _gate.AsSpan(t * ff, ff);
                    both[..ff].CopyTo(g);
                    GeluTanh.Glu(g, both[ff..]);
                }
            });
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
        if (L.Up != null) Linear(pool, _gate, n, L.Down!, _xb);
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

    // nomic-bert-moe's expert block, as llama.cpp's build_moe_ffn with softmax gating: p = softmax(router·x), the
    // n_expert_used most probable experts, each down·GELU(up·x) weighted by its p (not renormalised), summed in the
    // order chosen; into _xb. Tokens are grouped by expert so each expert runs as one matrix product.
    private void Experts(WorkerPool pool, EncoderLayerWeights L, int n)
    {
        var c = _c;
        int d = c.EmbeddingLength, ff = c.FeedForwardLength, experts = c.ExpertCount, k = c.ExpertUsedCount;
        Linear(pool, _x, n, L.Router!, _routerLogits);
        for (int t = 0; t < n; t++)
        {
            var p = _routerLogits.AsSpan(t * experts, experts);
            VectorOps.Softmax(p);
            for (int s = 0; s < k; s++)
            {
                int best = -1;
                for (int e = 0; e < experts; e++)
                {
                    if (p[e] < 0) continue; // taken
                    if (best < 0 || p[e] > p[best]) best = e;
                }
                _routes[t * k + s] = best;
                _routeWeights[t * k + s] = p[best];
                p[best] = -1f;
            }
        }
        for (int e = 0; e < experts; e++)
        {
            int m = 0;
            for (int i = 0; i < n * k; i++)
            {
                if (_routes[i] != e) continue;
                _expertTokens[m] = i;
                _x.AsSpan(i / k * d, d).CopyTo(_gathered.AsSpan(m * d, d));
                m++;
            }
            if (m == 0) continue;
            Linear(pool, _gathered, m, L.UpExperts![e], _gate);
            _rows.ForRows(pool, m, 16L * m * ff, (r0, r1) =>
            {
                for (int r = r0; r < r1; r++) GeluTanh.Apply(_gate.AsSpan(r * ff, ff));
            });
            Linear(pool, _gate, m, L.DownExperts![e], _expertDown);
            for (int r = 0; r < m; r++)
            {
                int i = _expertTokens[r];
                TensorPrimitives.Multiply(_expertDown.AsSpan(r * d, d), _routeWeights[i], _expertOut.AsSpan(i * d, d));
            }
        }
        for (int t = 0; t < n; t++)
        {
            var o = _xb.AsSpan(t * d, d);
            _expertOut.AsSpan(t * k * d, d).CopyTo(o);
            for (int s = 1; s < k; s++) TensorPrimitives.Add(o, _expertOut.AsSpan((t * k + s) * d, d), o);
        }
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
        _up = new float[checked(cap * 2 * ff)];  // jina-bert-v2's fused gate and up
        _gate = new float[checked(cap * ff)];
        if (c.MoeEveryNLayers > 0)
        {
            int k = c.ExpertUsedCount;
            _routerLogits = new float[checked(cap * c.ExpertCount)];
            _gathered = new float[checked(cap * k * d)];
            _expertDown = new float[checked(cap * k * d)];
            _expertOut = new float[checked(cap * k * d)];
            _routes = new int[checked(cap * k)];
            _routeWeights = new float[checked(cap * k)];
            _expertTokens = new int[checked(cap * k)];
        }
        _positions = new int[cap];
        _capacity = cap;
    }
}
