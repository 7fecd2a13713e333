using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// The readable reference forward pass: one token at a time, weights dequantized row by row to float, plain loops,
/// an F32 key/value cache, no threads and no activation quantization. Slow on purpose; the fast
/// <see cref="Transformer"/> is tested against it. Covers standard attention with dense feed-forwards (not latent
/// attention or experts, which are checked against llama.cpp directly).
/// </summary>
internal sealed class ReferenceTransformer
{
    private readonly ModelConfig _c;
    private readonly ArchitectureTraits _arch;
    private readonly TransformerWeights _w;
    private readonly float[][] _keys;   // per layer: [context, n_head_kv * head_dim]
    private readonly float[][] _values; // per layer: [context, n_head_kv * v_head_dim]
    private readonly int _context;

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
            _keys[l] = new float[context * config.HeadCountKv * config.HeadDim];
            _values[l] = new float[context * config.HeadCountKv * config.ValueHeadDim];
        }
    }

    /// <summary>Runs one token at position <paramref name="pos"/> and returns its logits (// [n_vocab]).</summary>
    public float[] Forward(int token, int pos)
    {
        var c = _c;
        if (pos >= _context) throw new ArgumentOutOfRangeException(nameof(pos));
        int d = c.EmbeddingLength, hd = c.HeadDim, vhd = c.ValueHeadDim;
        int kDim = c.HeadCountKv * hd, vDim = c.HeadCountKv * vhd;
        if (c.IsLatentAttention || c.ExpertCount > 0) throw new NotSupportedException("The reference forward covers standard attention with dense feed-forwards only.");
        var x = new float[d];
        _w.TokenEmbedding.DequantizeRow(token, x);
        for (int i = 0; i < d; i++) x[i] *= c.EmbeddingScale;
        var rope = new Rope(c.RopeDimensionCount, _arch.RopeStyle, c.RopeFreqBase, c.RopeFreqScale, _w.RopeFreqFactors);
        var localRope = new Rope(c.RopeDimensionCount, _arch.RopeStyle, c.RopeFreqBaseSwa, c.RopeFreqScaleSwa, _w.RopeFreqFactors);

        for (int l = 0; l < _w.Layers.Length; l++)
        {
            var L = _w.Layers[l];
            var xb = Norm(x, L.AttnNorm);
            var q = MatVec(L.Wq!, xb, L.Bq);
            var k = MatVec(L.Wk!, xb, L.Bk);
            var v = MatVec(L.Wv!, xb, L.Bv);
            if (L.QNorm != null) NormHeads(q, c.HeadCount, hd, L.QNorm);
            if (L.KNorm != null) NormHeads(k, c.HeadCountKv, hd, L.KNorm);
            var r = c.IsSlidingLayer(l) ? localRope : rope;
            r.Apply(q, c.HeadCount, hd, pos);
            r.Apply(k, c.HeadCountKv, hd, pos);
            int first = c.IsSlidingLayer(l) ? Math.Max(0, pos + 1 - c.SlidingWindow) : 0;
            Array.Copy(k, 0, _keys[l], pos * kDim, kDim);
            Array.Copy(v, 0, _values[l], pos * vDim, vDim);

            var att = new float[c.HeadCount * vhd];
            int group = c.HeadCount / c.HeadCountKv;
            for (int h = 0; h < c.HeadCount; h++)
            {
                int kvh = h / group;
                var scores = new float[pos + 1];
                float max = float.NegativeInfinity;
                for (int j = first; j <= pos; j++)
                {
                    float s = 0;
                    for (int i = 0; i < hd; i++) s += q[h * hd + i] * _keys[l][j * kDim + kvh * hd + i];
                    if (c.AttnLogitSoftcap != 0) s = c.AttnLogitSoftcap * MathF.Tanh(s / c.AttnLogitSoftcap);
                    scores[j] = s * c.AttentionScale;
                    max = Math.Max(max, scores[j]);
                }
                float sum = 0;
                for (int j = first; j <= pos; j++)
                {
                    scores[j] = MathF.Exp(scores[j] - max);
                    sum += scores[j];
                }
                for (int j = first; j <= pos; j++)
                {
                    for (int i = 0; i < vhd; i++) att[h * vhd + i] += scores[j] / sum * _values[l][j * vDim + kvh * vhd + i];
                }
            }
            var o = MatVec(L.Wo, att, null);
            if (L.AttnPostNorm != null) o = Norm(o, L.AttnPostNorm);
            for (int i = 0; i < d; i++) x[i] += o[i];

            xb = Norm(x, L.FfnNorm);
            var g = MatVec(L.Gate!, xb, null);
            var u = MatVec(L.Up!, xb, null);
            for (int i = 0; i < g.Length; i++)
            {
                float act = _arch.Activation == FeedForwardActivation.GeluTanh ? GeluTanh.Reference(g[i]) : g[i] / (1 + MathF.Exp(-g[i]));
                g[i] = act * u[i];
            }
            var down = MatVec(L.Down!, g, null);
            if (L.FfnPostNorm != null) down = Norm(down, L.FfnPostNorm);
            for (int i = 0; i < d; i++) x[i] += down[i];
        }
        var logits = MatVec(_w.Output, Norm(x, _w.OutputNorm), null);
        if (c.FinalLogitSoftcap != 0)
        {
            for (int i = 0; i < logits.Length; i++) logits[i] = c.FinalLogitSoftcap * MathF.Tanh(logits[i] / c.FinalLogitSoftcap);
        }
        return logits;
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
