using System.Numerics.Tensors;
using Hearth.Gguf;
using Hearth.Inference;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// The decoder-only transformer shared by every architecture (their differences come in <see cref="ArchitectureTraits"/>
/// and the config): embeddings, RMSNorm, RoPE, attention over the <see cref="KvCache"/> (grouped-query, or
/// <see cref="LatentAttention"/>), a gated feed-forward (or <see cref="MixtureOfExperts"/>), optional post-norms,
/// output head. One code path serves prompt processing (many tokens) and decoding (one token); projections run on the
/// worker pool.
/// </summary>
internal sealed class Transformer
{
    private readonly TransformerWeights _w;
    private readonly Rope _rope;
    private readonly YarnRope? _yarnGlobal;
    private readonly YarnRope? _yarnLocal;
    private readonly YarnRope? _ropeLong;   // Phi-3 LongRoPE: contexts above the original length
    private readonly YarnRope? _ropeShort;  // and up to it
    private bool _useLongRope;
    private readonly Projector _projector = new();
    private readonly AttentionJob _attention = new();
    private readonly RowJob _rows = new();
    private readonly Action<int, int> _prepareTokens;
    private readonly Action<int, int> _gateOutputs;
    private int _prepLayer;               // the attention inputs PrepareTokens works on
    private LayerWeights _prepWeights = null!;
    private ForwardBuffers _prepBuf = null!;
    private readonly LatentAttention? _latent;
    private readonly MixtureOfExperts? _experts;
    private readonly PerLayerEmbeddings? _perLayer;
    private readonly float[] _ones;       // [max head_dim] the weight of a weightless norm (Gemma 4's value norm)
    private readonly ShortConvolution? _shortConv;
    private readonly GatedDeltaNet? _deltaNet;
    private readonly Mamba2? _mamba2;

    public Transformer(ModelConfig config, ArchitectureTraits arch, TransformerWeights weights)
    {
        Config = config;
        Arch = arch;
        _w = weights;
        _prepareTokens = PrepareTokens;
        _gateOutputs = GateOutputs;
        if (arch.QkNorm)
        {
            foreach (var l in weights.Layers)
            {
                if (l.Recurrent is null && (l.QNorm is null || (l.KNorm is null && l.Wk != null)))
                {
                    throw new ModelConfigurationException($"Architecture '{arch.Name}' needs attn_q_norm/attn_k_norm tensors in every block.");
                }
            }
        }
        if (arch.PostNorms)
        {
            foreach (var l in weights.Layers)
            {
                if (l.AttnPostNorm is null || l.FfnPostNorm is null)
                {
                    throw new ModelConfigurationException($"Architecture '{arch.Name}' needs post_attention_norm/post_ffw_norm tensors in every block.");
                }
            }
        }
        _rope = new Rope(config.RopeDimensionCount, arch.RopeStyle, config.RopeFreqBase, config.RopeFreqScale, weights.RopeFreqFactors);
        // Plain rope serves the Llama family; YaRN, a rope attention factor, or local layers with their own base, rotated
        // dimensions or factors need the full ggml rope.
        bool localDiffers = config.SlidingLayers != null && (config.RopeFreqBaseSwa != config.RopeFreqBase || config.RopeFreqScaleSwa != config.RopeFreqScale
            || (config.RopeDimensionCountSwa > 0 && config.RopeDimensionCountSwa != config.RopeDimensionCount)
            || (!config.RopeFactorsOnLocalLayers && weights.RopeFreqFactors != null));
        if (config.Rope.NeedsYarnRope || localDiffers)
        {
            _yarnGlobal = CreateRope(config.RopeFreqBase, config.RopeFreqScale);
            _yarnLocal = new YarnRope(config.RopeDimensionCountSwa > 0 ? config.RopeDimensionCountSwa : config.RopeDimensionCount, arch.RopeStyle,
                config.RopeFreqBaseSwa, config.RopeFreqScaleSwa, config.RopeFactorsOnLocalLayers ? weights.RopeFreqFactors : null,
                config.Rope.ExtFactor, config.Rope.AttnFactor, config.Rope.BetaFast, config.Rope.BetaSlow, config.Rope.OriginalContext);
        }
        _ones = new float[Math.Max(1, config.MaxValueHeadDim)];
        Array.Fill(_ones, 1f);
        if (weights.PerLayer != null) _perLayer = new PerLayerEmbeddings(this, weights.PerLayer);
        if (weights.RopeFactorsLong != null)
        {
            // llama.cpp picks the factor set per context: long when a sequence's context exceeds the original length.
            _ropeLong = CreateRope(config.RopeFreqBase, config.RopeFreqScale, weights.RopeFactorsLong);
            _ropeShort = CreateRope(config.RopeFreqBase, config.RopeFreqScale, weights.RopeFactorsShort);
        }
        if (config.IsLatentAttention) _latent = new LatentAttention(this);
        if (config.ExpertCount > 0) _experts = new MixtureOfExperts(this);
        if (config.Mixer == RecurrentMixer.ShortConv) _shortConv = new ShortConvolution(this);
        if (config.Mixer == RecurrentMixer.GatedDeltaNet) _deltaNet = new GatedDeltaNet(this);
        if (config.Mixer == RecurrentMixer.Mamba2) _mamba2 = new Mamba2(this);
    }

    public ModelConfig Config { get; }

    public ArchitectureTraits Arch { get; }

    public TransformerWeights Weights => _w;

    internal RowJob Rows => _rows;

    internal YarnRope CreateRope(float freqBase, float freqScale, float[]? factors = null)
    {
        var s = Config.Rope;
        return new YarnRope(Config.RopeDimensionCount, Arch.RopeStyle, freqBase, freqScale, factors ?? _w.RopeFreqFactors,
            s.ExtFactor, s.AttnFactor, s.BetaFast, s.BetaSlow, s.OriginalContext);
    }

    /// <summary>Rotates <paramref name="heads"/> heads of width <paramref name="headDim"/> for layer <paramref name="layer"/>.</summary>
    internal void ApplyRope(int layer, Span<float> x, int heads, int headDim, int pos)
    {
        if (_ropeLong != null) (_useLongRope ? _ropeLong : _ropeShort!).Apply(x, heads, headDim, pos);
        else if (_yarnGlobal is null) _rope.Apply(x, heads, headDim, pos);
        else (Config.IsSlidingLayer(layer) ? _yarnLocal! : _yarnGlobal).Apply(x, heads, headDim, pos);
    }

    /// <summary>
    /// Runs a batch of <paramref name="tokens"/> that may belong to several sequences: token t sits at position
    /// <c>buf.TokenPos[t]</c> of the sequence whose cache is <c>buf.TokenCache[t]</c> (filled in by the caller). Keys and
    /// values go into those caches; the logits of the tokens listed in <paramref name="outputRows"/> are written to
    /// <paramref name="logits"/> (// [outputRows.Length, n_vocab]).
    /// </summary>
    public void Forward(ReadOnlySpan<int> tokens, ForwardBuffers buf, WorkerPool pool, ReadOnlySpan<int> outputRows, Span<float> logits)
    {
        var c = Config;
        int n = tokens.Length, d = c.EmbeddingLength;
        var x = buf.X.AsSpan(0, n * d);
        for (int t = 0; t < n; t++)
        {
            int id = tokens[t];
            if ((uint)id >= (uint)c.VocabSize) throw new ArgumentOutOfRangeException(nameof(tokens), $"Token id {id} is outside the vocabulary (0..{c.VocabSize - 1}).");
            _w.TokenEmbedding.DequantizeRow(id, x.Slice(t * d, d));
        }
        if (c.EmbeddingScale != 1f) TensorPrimitives.Multiply(x, c.EmbeddingScale, x);
        _perLayer?.Prepare(tokens, buf, pool);
        // LongRoPE's factor set follows the context size of the sequences (the batch's caches share one size).
        _useLongRope = _ropeLong != null && n > 0 && buf.TokenCache[0].Capacity > c.Rope.OriginalContext;

        for (int l = 0; l < _w.Layers.Length; l++)
        {
            var L = _w.Layers[l];
            // Attention sub-layer: its projected output lands in Xb.
            _rows.RmsNorm(pool, buf.X, L.AttnNorm, c.RmsNormEps, buf.Xb, n, d);
            if (L.Recurrent != null) Mix(l, L, n, buf, pool);
            else if (_latent != null) _latent.Forward(l, L, n, buf, pool);
            else Attention(l, L, n, buf, pool);
            if (L.AttnPostNorm != null) _rows.RmsNorm(pool, buf.Xb, L.AttnPostNorm, c.RmsNormEps, buf.Xb, n, d);
            if (c.ResidualScale != 0f) TensorPrimitives.Multiply(buf.Xb.AsSpan(0, n * d), c.ResidualScale, buf.Xb.AsSpan(0, n * d));
            _rows.Add(pool, buf.X, buf.Xb, n, d);

            // Feed-forward sub-layer.
            _rows.RmsNorm(pool, buf.X, L.FfnNorm, c.RmsNormEps, buf.Xb, n, d);
            if (L.Experts != null && L.Gate != null) _experts!.ForwardBesideDense(L, n, buf, pool);
            else if (L.Experts != null) _experts!.Forward(L.Experts, n, buf, pool);
            else FeedForward(L.Gate!, L.Up!, L.Down!, buf.Xb, n, buf.Xb, buf, pool);
            if (L.FfnPostNorm != null) _rows.RmsNorm(pool, buf.Xb, L.FfnPostNorm, c.RmsNormEps, buf.Xb, n, d);
            if (c.ResidualScale != 0f) TensorPrimitives.Multiply(buf.Xb.AsSpan(0, n * d), c.ResidualScale, buf.Xb.AsSpan(0, n * d));
            _rows.Add(pool, buf.X, buf.Xb, n, d);

            _perLayer?.Apply(l, L, n, buf, pool);
            if (L.OutputScale != 0f) TensorPrimitives.Multiply(x, L.OutputScale, x);
        }

        // Output head, for the wanted rows only, ForwardBuffers.LogitRows at a time.
        int vocab = c.VocabSize;
        for (int o0 = 0; o0 < outputRows.Length; o0 += ForwardBuffers.LogitRows)
        {
            int rows = Math.Min(ForwardBuffers.LogitRows, outputRows.Length - o0);
            for (int i = 0; i < rows; i++)
            {
                int t = outputRows[o0 + i];
                VectorOps.RmsNorm(x.Slice(t * d, d), _w.OutputNorm, c.RmsNormEps, buf.Xb.AsSpan(i * d, d));
            }
            Linear(_w.Output, buf.Xb, rows, buf.Logits, buf, pool);
            var result = logits.Slice(o0 * vocab, rows * vocab);
            buf.Logits.AsSpan(0, rows * vocab).CopyTo(result);
            if (c.LogitScale != 0) TensorPrimitives.Multiply(result, 1f / c.LogitScale, result); // Granite: logits ÷ logit_scale
            if (c.FinalLogitSoftcap != 0)
            {
                // Gemma 2: cap · tanh(logit / cap), in ggml's order (scale, tanh, scale).
                TensorPrimitives.Multiply(result, 1.0f / c.FinalLogitSoftcap, result);
                TensorPrimitives.Tanh(result, result);
                TensorPrimitives.Multiply(result, c.FinalLogitSoftcap, result);
            }
        }
    }

    // A hybrid model's recurrent layer: its mixer reads and updates each token's sequence state; output into Xb.
    private void Mix(int l, LayerWeights L, int n, ForwardBuffers buf, WorkerPool pool)
    {
        if (_shortConv != null) _shortConv.Forward(l, L, n, buf, pool);
        else if (_mamba2 != null) _mamba2.Forward(l, L, n, buf, pool);
        else _deltaNet!.Forward(l, L, n, buf, pool);
    }

    // Grouped-query attention over the cache; the output projection lands in Xb. With an output gate (Qwen3.5) the
    // query projection also yields the gate, and the attention output is multiplied by its sigmoid before Wo.
    private void Attention(int l, LayerWeights L, int n, ForwardBuffers buf, WorkerPool pool)
    {
        var c = Config;
        int hd = c.HeadDimOf(l), vhd = c.ValueHeadDimOf(l);
        int qDim = c.HeadCount * hd, kDim = c.KvHeadsOf(l) * hd, vDim = c.KvHeadsOf(l) * vhd;
        var q = c.AttentionOutputGate ? buf.QueryAndGate : buf.Q;
        // A layer sharing an earlier layer's cache projects only its queries; one without attn_v reuses the key projection.
        if (!c.HasOwnKv(l)) Linear(buf.Xb, n, buf, pool, L.Wq!, q);
        else if (L.Wv is null) Linear(buf.Xb, n, buf, pool, L.Wq!, q, L.Wk!, buf.K);
        else Linear(buf.Xb, n, buf, pool, L.Wq!, q, L.Wk!, buf.K, L.Wv, buf.V);
        _prepLayer = l;
        _prepWeights = L;
        _prepBuf = buf;
        _rows.ForRows(pool, n, 8L * n * (qDim + kDim + vDim), _prepareTokens);
        int window = c.IsSlidingLayer(l) ? c.SlidingWindow : 0;
        _attention.Set(c, buf, c.KvSourceOf(l), n, Arch.ScaleQueries ? 1f : c.AttentionScale, c.AttnLogitSoftcap, window, L.Sinks, queryLayer: l);
        pool.Run(_attention, _attention.ChunkCount, (long)n * c.HeadCount * (buf.TokenPos[n - 1] + 1) * (hd + vhd));
        if (c.AttentionOutputGate) _rows.ForRows(pool, n, 16L * n * qDim, _gateOutputs);
        Linear(L.Wo, buf.AttnOut, n, buf.Xb, buf, pool);
        if (L.Bo != null) AddBias(buf.Xb, L.Bo, n);
    }

    // AttnOut ⊙= sigmoid(gate) for tokens [t0, t1) (the attention output gate).
    private void GateOutputs(int t0, int t1)
    {
        var buf = _prepBuf;
        int qDim = Config.HeadCount * Config.HeadDim;
        var gate = buf.AttnGate.AsSpan(t0 * qDim, (t1 - t0) * qDim);
        TensorPrimitives.Sigmoid(gate, gate);
        TensorPrimitives.Multiply(buf.AttnOut.AsSpan(t0 * qDim, (t1 - t0) * qDim), gate, buf.AttnOut.AsSpan(t0 * qDim, (t1 - t0) * qDim));
    }

    // Biases, q/k/v norms, rope, query scale and the F16 cache store of tokens [t0, t1) of the batch (one pool chunk).
    private void PrepareTokens(int t0, int t1)
    {
        var c = Config;
        var L = _prepWeights;
        var buf = _prepBuf;
        int l = _prepLayer;
        int hd = c.HeadDimOf(l), vhd = c.ValueHeadDimOf(l), kvHeads = c.KvHeadsOf(l);
        int qDim = c.HeadCount * hd, kDim = kvHeads * hd, vDim = kvHeads * vhd;
        bool ownKv = c.HasOwnKv(l), rope = c.UsesRope(l);
        for (int t = t0; t < t1; t++)
        {
            var q = buf.Q.AsSpan(t * qDim, qDim);
            if (c.AttentionOutputGate)
            {
                // Per head: head_dim query values, then head_dim gate values.
                var qg = buf.QueryAndGate.AsSpan(t * 2 * qDim, 2 * qDim);
                for (int h = 0; h < c.HeadCount; h++)
                {
                    qg.Slice(2 * h * hd, hd).CopyTo(q.Slice(h * hd, hd));
                    qg.Slice((2 * h + 1) * hd, hd).CopyTo(buf.AttnGate.AsSpan(t * qDim + h * hd, hd));
                }
            }
            if (L.Bq != null) TensorPrimitives.Add(q, L.Bq, q);
            if (L.QNorm != null)
            {
                for (int h = 0; h < c.HeadCount; h++) VectorOps.RmsNorm(q.Slice(h * hd, hd), L.QNorm, c.RmsNormEps, q.Slice(h * hd, hd));
            }
            int pos = buf.TokenPos[t];
            if (rope) ApplyRope(l, q, c.HeadCount, hd, pos);
            if (c.AttnTemperatureScale != 0) TensorPrimitives.Multiply(q, c.AttnTemperature(pos), q);
            if (Arch.ScaleQueries) TensorPrimitives.Multiply(q, c.AttentionScale, q);
            if (!ownKv) continue;

            var k = buf.K.AsSpan(t * kDim, kDim);
            var v = buf.V.AsSpan(t * vDim, vDim);
            if (L.Wv is null) k.CopyTo(v); // values are the keys' projection, before the key norm and rope
            if (L.Bk != null) TensorPrimitives.Add(k, L.Bk, k);
            if (L.Bv != null) TensorPrimitives.Add(v, L.Bv, v);
            if (L.KNorm != null)
            {
                for (int h = 0; h < kvHeads; h++) VectorOps.RmsNorm(k.Slice(h * hd, hd), L.KNorm, c.RmsNormEps, k.Slice(h * hd, hd));
            }
            if (c.ValueNorm)
            {
                for (int h = 0; h < kvHeads; h++) VectorOps.RmsNorm(v.Slice(h * vhd, vhd), _ones.AsSpan(0, vhd), c.RmsNormEps, v.Slice(h * vhd, vhd));
            }
            if (rope) ApplyRope(l, k, kvHeads, hd, pos);
            TensorPrimitives.ConvertToHalf(k, buf.TokenCache[t].Keys(l, pos));
            TensorPrimitives.ConvertToHalf(v, buf.TokenCache[t].Values(l, pos));
        }
    }

    /// <summary>
    /// output = down · (act(gate · input) ⊙ (up · input)) for <paramref name="n"/> rows of <paramref name="input"/>; uses
    /// the Gate/Up buffers. <paramref name="output"/> may be <paramref name="input"/>.
    /// </summary>
    internal void FeedForward(WeightMatrix gate, WeightMatrix up, WeightMatrix down, float[] input, int n, float[] output, ForwardBuffers buf, WorkerPool pool,
        float[]? gateBias = null, float[]? upBias = null, float[]? downBias = null)
    {
        Linear(input, n, buf, pool, gate, buf.Gate, up, buf.Up);
        int ff = gate.Rows;
        if (gateBias != null) AddBias(buf.Gate, gateBias, n);
        if (upBias != null) AddBias(buf.Up, upBias, n);
        _rows.Glu(pool, Arch.Activation, buf.Gate, buf.Up, n, ff);
        Linear(down, buf.Gate, n, output, buf, pool);
        if (downBias != null) AddBias(output, downBias, n);
    }

    /// <summary>x[t] += bias for the first <paramref name="n"/> rows of width bias.Length.</summary>
    // x: [n, bias.Length]; bias: [width].
    private static void AddBias(float[] x, float[] bias, int n)
    {
        int w = bias.Length;
        for (int t = 0; t < n; t++) TensorPrimitives.Add(x.AsSpan(t * w, w), bias, x.AsSpan(t * w, w));
    }

    internal void Linear(WeightMatrix w, float[] input, int nTokens, float[] output, ForwardBuffers buf, WorkerPool pool) =>
        Linear(input, nTokens, buf, pool, w, output);

    /// <summary>Projections of one input through the shared <see cref="Projector"/>, on the buffers' scratch.</summary>
    internal void Linear(float[] input, int nTokens, ForwardBuffers buf, WorkerPool pool, WeightMatrix w0, float[] y0,
        WeightMatrix? w1 = null, float[]? y1 = null, WeightMatrix? w2 = null, float[]? y2 = null) =>
        _projector.Project(pool, input, nTokens, buf.Quantized, w0, y0, w1, y1, w2, y2);
}
