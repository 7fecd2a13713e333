using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// The readable reference forward pass: one token at a time, weights dequantized row by row to float, plain loops,
/// an F32 key/value cache, no threads and no activation quantization. Slow on purpose; the fast
/// <see cref="Transformer"/> is tested against it. Covers standard attention, latent attention in its decompressed form
/// (<c>ReferenceTransformer.Latent.cs</c>), dense feed-forwards and mixtures of experts
/// (<c>ReferenceTransformer.Experts.cs</c>), and recurrent mixers with their state (<c>ReferenceTransformer.Recurrent.cs</c>).
/// Gemma 4's additions are here too: per-layer head sizes and kv heads, layers that read an earlier layer's cache,
/// values from the key projection with a weightless norm, per-layer input embeddings, the per-layer output scale and
/// experts beside the dense feed-forward.
/// </summary>
internal sealed partial class ReferenceTransformer
{
    private readonly ModelConfig _c;
    private readonly ArchitectureTraits _arch;
    private readonly TransformerWeights _w;
    private readonly float[][] _keys;   // per layer: [context, kv_heads * key_dim] (latent attention: decompressed, n_head heads)
    private readonly float[][] _values; // per layer: [context, kv_heads * value_dim]
    private readonly int _context;
    private readonly YarnRope _rope;
    private readonly YarnRope _localRope;

    public ReferenceTransformer(ModelConfig config, ArchitectureTraits arch, TransformerWeights weights, int context)
    {
        _c = config;
        _arch = arch;
        _w = weights;
        _context = context;
        _keys = new float[config.BlockCount][];
        _values = new float[config.BlockCount][];
        for (int l = 0; l < config.BlockCount; l++)
        {
            int keyWidth = config.IsLatentAttention ? config.HeadCount * config.MlaKeyDim : config.KvHeadsOf(l) * config.HeadDimOf(l);
            int valueWidth = config.IsLatentAttention ? config.HeadCount * config.MlaValueDim : config.KvHeadsOf(l) * config.ValueHeadDimOf(l);
            _keys[l] = new float[context * keyWidth];
            _values[l] = new float[context * valueWidth];
        }
        // Phi-3 LongRoPE: the long factors serve contexts above the original training length, the short ones the rest.
        float[]? factors = weights.RopeFactorsLong is null ? weights.RopeFreqFactors
            : context > config.Rope.OriginalContext ? weights.RopeFactorsLong : weights.RopeFactorsShort;
        _rope = CreateRope(config.RopeDimensionCount, config.RopeFreqBase, config.RopeFreqScale, factors);
        // Local layers may rotate fewer dimensions and go without the frequency factors (Gemma 4).
        _localRope = CreateRope(config.RopeDimensionCountSwa > 0 ? config.RopeDimensionCountSwa : config.RopeDimensionCount,
            config.RopeFreqBaseSwa, config.RopeFreqScaleSwa, config.RopeFactorsOnLocalLayers ? factors : null);
    }

    private YarnRope CreateRope(int dims, float freqBase, float freqScale, float[]? factors)
    {
        var s = _c.Rope;
        return new YarnRope(dims, _arch.RopeStyle, freqBase, freqScale, factors,
            s.ExtFactor, s.AttnFactor, s.BetaFast, s.BetaSlow, s.OriginalContext);
    }

    /// <summary>Runs one token at position <paramref name="pos"/> and returns its logits (// [n_vocab]).</summary>
    public float[] Forward(int token, int pos)
    {
        var c = _c;
        if (pos >= _context) throw new ArgumentOutOfRangeException(nameof(pos));
        int d = c.EmbeddingLength;
        var x = new float[d];
        _w.TokenEmbedding.DequantizeRow(token, x);
        for (int i = 0; i < d; i++) x[i] *= c.EmbeddingScale;
        var perLayer = _w.PerLayer != null ? PerLayerInputs(token, x) : null;

        for (int l = 0; l < _w.Layers.Length; l++)
        {
            var L = _w.Layers[l];
            var xb = Norm(x, L.AttnNorm);
            var att = L.Recurrent != null ? Recurrent(l, L.Recurrent, xb)
                : L.Latent != null ? LatentAttention(l, L.Latent, xb, pos) : Attention(l, L, xb, pos);
            var o = MatVec(L.Wo, att, L.Bo);
            if (L.AttnPostNorm != null) o = Norm(o, L.AttnPostNorm);
            if (c.ResidualScale != 0) Scale(o, c.ResidualScale);
            for (int i = 0; i < d; i++) x[i] += o[i];

            xb = Norm(x, L.FfnNorm);
            var down = L.Experts != null && L.Gate != null ? ExpertsBesideDense(L, x, xb)
                : L.Experts != null ? Experts(L.Experts, xb) : FeedForward(L.Gate!, L.Up!, L.Down!, xb);
            if (L.FfnPostNorm != null) down = Norm(down, L.FfnPostNorm);
            if (c.ResidualScale != 0) Scale(down, c.ResidualScale);
            for (int i = 0; i < d; i++) x[i] += down[i];

            if (perLayer != null) AddPerLayerEmbedding(l, L, perLayer, x);
            if (L.OutputScale != 0f)
            {
                for (int i = 0; i < d; i++) x[i] *= L.OutputScale;
            }
        }
        var logits = MatVec(_w.Output, Norm(x, _w.OutputNorm), null);
        if (c.LogitScale != 0) Scale(logits, 1f / c.LogitScale);
        if (c.FinalLogitSoftcap != 0)
        {
            for (int i = 0; i < logits.Length; i++) logits[i] = c.FinalLogitSoftcap * MathF.Tanh(logits[i] / c.FinalLogitSoftcap);
        }
        return logits;
    }

    private static void Scale(float[] v, float s)
    {
        for (int i = 0; i < v.Length; i++) v[i] *= s;
    }

    // Grouped-query attention: q/k/v projections (+ biases, q/k norms), rope, then softmax attention over the cache.
    private float[] Attention(int l, LayerWeights L, float[] xb, int pos)
    {
        var c = _c;
        int hd = c.HeadDimOf(l), vhd = c.ValueHeadDimOf(l), kvHeads = c.KvHeadsOf(l);
        var q = MatVec(L.Wq!, xb, L.Bq);
        float[]? gate = null;
        if (c.AttentionOutputGate)
        {
            // Per head: the query, then the output gate.
            var qg = q;
            q = new float[c.HeadCount * hd];
            gate = new float[c.HeadCount * hd];
            for (int h = 0; h < c.HeadCount; h++)
            {
                Array.Copy(qg, 2 * h * hd, q, h * hd, hd);
                Array.Copy(qg, (2 * h + 1) * hd, gate, h * hd, hd);
            }
        }
        // A layer sharing an earlier layer's cache has no keys or values of its own; one without attn_v takes the
        // values from the key projection, before the key's bias, norm and rope.
        bool ownKv = c.HasOwnKv(l);
        float[]? k = null, v = null;
        if (ownKv)
        {
            var kRaw = MatVec(L.Wk!, xb, null);
            v = L.Wv != null ? MatVec(L.Wv, xb, L.Bv) : (float[])kRaw.Clone();
            k = kRaw;
            if (L.Bk != null)
            {
                for (int i = 0; i < k.Length; i++) k[i] += L.Bk[i];
            }
            if (L.Wv is null && L.Bv != null)
            {
                for (int i = 0; i < v.Length; i++) v[i] += L.Bv[i];
            }
        }
        if (L.QNorm != null) NormHeads(q, c.HeadCount, hd, L.QNorm);
        if (k != null && L.KNorm != null) NormHeads(k, kvHeads, hd, L.KNorm);
        if (v != null && c.ValueNorm)
        {
            var ones = new float[vhd];
            Array.Fill(ones, 1f);
            NormHeads(v, kvHeads, vhd, ones);
        }
        var r = c.IsSlidingLayer(l) ? _localRope : _rope;
        if (c.UsesRope(l))
        {
            r.Apply(q, c.HeadCount, hd, pos);
            if (k != null) r.Apply(k, kvHeads, hd, pos);
        }
        if (c.AttnTemperatureScale != 0)
        {
            float temperature = c.AttnTemperature(pos);
            for (int i = 0; i < q.Length; i++) q[i] *= temperature;
        }
        float scale = c.AttentionScale;
        if (_arch.ScaleQueries)
        {
            // Gemma and Phi-3 scale the queries, so a logit soft-cap sees scaled scores.
            for (int i = 0; i < q.Length; i++) q[i] *= scale;
            scale = 1f;
        }
        int first = c.IsSlidingLayer(l) ? Math.Max(0, pos + 1 - c.SlidingWindow) : 0;
        var att = Attend(c.KvSourceOf(l), q, k, v, c.HeadCount, kvHeads, hd, vhd, pos, first, scale, L.Sinks);
        if (gate != null)
        {
            for (int i = 0; i < att.Length; i++) att[i] *= 1 / (1 + MathF.Exp(-gate[i]));
        }
        return att;
    }

    /// <summary>
    /// Stores this position's keys <paramref name="k"/> and values <paramref name="v"/> in layer <paramref name="l"/>'s
    /// cache (when given: a layer that reads an earlier layer's cache has none) and returns softmax(q·K / scale)·V
    /// per query head (// [heads * valueDim]) over positions first..pos; query head h reads kv head h / (heads / kvHeads).
    /// With <paramref name="sinks"/>, head h's sink logit joins its softmax as one more score without a value.
    /// </summary>
    private float[] Attend(int l, float[] q, float[]? k, float[]? v, int heads, int kvHeads, int keyDim, int valueDim, int pos, int first, float scale,
        float[]? sinks = null)
    {
        int kDim = kvHeads * keyDim, vDim = kvHeads * valueDim;
        if (k != null) Array.Copy(k, 0, _keys[l], pos * kDim, kDim);
        if (v != null) Array.Copy(v, 0, _values[l], pos * vDim, vDim);
        var att = new float[heads * valueDim];
        int group = heads / kvHeads;
        float cap = _c.AttnLogitSoftcap;
        for (int h = 0; h < heads; h++)
        {
            int kvh = h / group;
            var scores = new float[pos + 1];
            float max = float.NegativeInfinity;
            for (int j = first; j <= pos; j++)
            {
                float s = 0;
                for (int i = 0; i < keyDim; i++) s += q[h * keyDim + i] * _keys[l][j * kDim + kvh * keyDim + i];
                if (cap != 0) s = cap * MathF.Tanh(s / cap);
                scores[j] = s * scale;
                max = Math.Max(max, scores[j]);
            }
            if (sinks != null) max = Math.Max(max, sinks[h]);
            float sum = sinks != null ? MathF.Exp(sinks[h] - max) : 0;
            for (int j = first; j <= pos; j++)
            {
                scores[j] = MathF.Exp(scores[j] - max);
                sum += scores[j];
            }
            for (int j = first; j <= pos; j++)
            {
                for (int i = 0; i < valueDim; i++) att[h * valueDim + i] += scores[j] / sum * _values[l][j * vDim + kvh * valueDim + i];
            }
        }
        return att;
    }

    // down · (act(gate · x + b_gate) ⊙ (up · x + b_up)) + b_down.
    private float[] FeedForward(WeightMatrix gate, WeightMatrix up, WeightMatrix down, float[] xb,
        float[]? gateBias = null, float[]? upBias = null, float[]? downBias = null)
    {
        var g = MatVec(gate, xb, gateBias);
        var u = MatVec(up, xb, upBias);
        for (int i = 0; i < g.Length; i++)
        {
            if (_arch.Activation == FeedForwardActivation.SwigluOai)
            {
                // OpenAI's clamped SwiGLU: the gate only from above, the up projection both ways, and up + 1.
                float x = Math.Min(g[i], VectorOps.OaiLimit);
                float y = Math.Clamp(u[i], -VectorOps.OaiLimit, VectorOps.OaiLimit);
                g[i] = x / (1 + MathF.Exp(-VectorOps.OaiAlpha * x)) * (y + 1);
                continue;
            }
            float act = _arch.Activation == FeedForwardActivation.GeluTanh ? GeluTanh.Reference(g[i]) : g[i] / (1 + MathF.Exp(-g[i]));
            g[i] = act * u[i];
        }
        return MatVec(down, g, downBias);
    }

    private float[] Norm(float[] x, float[] weight)
    {
        var y = new float[x.Length];
        Rms(x, weight, y);
        return y;
    }

    private void NormHeads(float[] v, int heads, int hd, float[] weight)
    {
        for (int h = 0; h < heads; h++)
        {
            var head = v.AsSpan(h * hd, hd).ToArray();
            Rms(head, weight, v.AsSpan(h * hd, hd));
        }
    }

    private void Rms(float[] x, float[] weight, Span<float> y)
    {
        double ss = 0;
        foreach (float f in x) ss += (double)f * f;
        float scale = 1.0f / MathF.Sqrt((float)(ss / x.Length) + _c.RmsNormEps);
        for (int i = 0; i < x.Length; i++) y[i] = x[i] * scale * weight[i];
    }

    private static float[] MatVec(WeightMatrix w, float[] x, float[]? bias)
    {
        var y = new float[w.Rows];
        var row = new float[w.Columns];
        for (int r = 0; r < w.Rows; r++)
        {
            w.DequantizeRow(r, row);
            float s = 0;
            for (int i = 0; i < row.Length; i++) s += row[i] * x[i];
            y[r] = s + (bias?[r] ?? 0);
        }
        return y;
    }
}
