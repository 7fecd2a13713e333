using System.Numerics.Tensors;
using Hearth.Inference;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// The decoder-only transformer shared by every architecture (their differences come in <see cref="ArchitectureTraits"/>):
/// embeddings, RMSNorm, RoPE, grouped-query attention over the <see cref="KvCache"/>, SwiGLU feed-forward, output head.
/// One code path serves prompt processing (many tokens) and decoding (one token); projections run on the worker pool.
/// </summary>
internal sealed class Transformer
{
    private readonly TransformerWeights _w;
    private readonly Rope _rope;
    private readonly MatMulJob _matMul = new();
    private readonly AttentionJob _attention = new();

    public Transformer(ModelConfig config, ArchitectureTraits arch, TransformerWeights weights)
    {
        Config = config;
        Arch = arch;
        _w = weights;
        if (arch.QkNorm)
        {
            foreach (var l in weights.Layers)
            {
                if (l.QNorm is null || l.KNorm is null)
                {
                    throw new InvalidDataException($"Architecture '{arch.Name}' needs attn_q_norm/attn_k_norm tensors in every block.");
                }
            }
        }
        _rope = new Rope(config.RopeDimensionCount, arch.RopeStyle, config.RopeFreqBase, config.RopeFreqScale, weights.RopeFreqFactors);
    }

    public ModelConfig Config { get; }

    public ArchitectureTraits Arch { get; }

    public TransformerWeights Weights => _w;

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
        int qDim = c.HeadCount * c.HeadDim, kDim = c.HeadCountKv * c.HeadDim, vDim = c.HeadCountKv * c.ValueHeadDim;
        var x = buf.X.AsSpan(0, n * d);
        for (int t = 0; t < n; t++)
        {
            int id = tokens[t];
            if ((uint)id >= (uint)c.VocabSize) throw new ArgumentOutOfRangeException(nameof(tokens), $"Token id {id} is outside the vocabulary (0..{c.VocabSize - 1}).");
            _w.TokenEmbedding.DequantizeRow(id, x.Slice(t * d, d));
        }

        for (int l = 0; l < _w.Layers.Length; l++)
        {
            var L = _w.Layers[l];
            // Attention sub-layer.
            for (int t = 0; t < n; t++) VectorOps.RmsNorm(x.Slice(t * d, d), L.AttnNorm, c.RmsNormEps, buf.Xb.AsSpan(t * d, d));
            buf.InputVersion++;
            Linear(L.Wq, buf.Xb, n, buf.Q, buf, pool);
            Linear(L.Wk, buf.Xb, n, buf.K, buf, pool);
            Linear(L.Wv, buf.Xb, n, buf.V, buf, pool);
            for (int t = 0; t < n; t++)
            {
                var q = buf.Q.AsSpan(t * qDim, qDim);
                var k = buf.K.AsSpan(t * kDim, kDim);
                var v = buf.V.AsSpan(t * vDim, vDim);
                if (L.Bq != null) TensorPrimitives.Add(q, L.Bq, q);
                if (L.Bk != null) TensorPrimitives.Add(k, L.Bk, k);
                if (L.Bv != null) TensorPrimitives.Add(v, L.Bv, v);
                if (L.QNorm != null)
                {
                    for (int h = 0; h < c.HeadCount; h++) VectorOps.RmsNorm(q.Slice(h * c.HeadDim, c.HeadDim), L.QNorm, c.RmsNormEps, q.Slice(h * c.HeadDim, c.HeadDim));
                }
                if (L.KNorm != null)
                {
                    for (int h = 0; h < c.HeadCountKv; h++) VectorOps.RmsNorm(k.Slice(h * c.HeadDim, c.HeadDim), L.KNorm, c.RmsNormEps, k.Slice(h * c.HeadDim, c.HeadDim));
                }
                int pos = buf.TokenPos[t];
                _rope.Apply(q, c.HeadCount, c.HeadDim, pos);
                _rope.Apply(k, c.HeadCountKv, c.HeadDim, pos);
                TensorPrimitives.ConvertToHalf(k, buf.TokenCache[t].Keys(l, pos));
                TensorPrimitives.ConvertToHalf(v, buf.TokenCache[t].Values(l, pos));
            }
            _attention.Set(c, buf, l, n);
            pool.Run(_attention, _attention.ChunkCount, (long)n * c.HeadCount * (buf.TokenPos[n - 1] + 1) * (c.HeadDim + c.ValueHeadDim));
            buf.InputVersion++;
            Linear(L.Wo, buf.AttnOut, n, buf.Xb, buf, pool);
            TensorPrimitives.Add(x, buf.Xb.AsSpan(0, n * d), x);

            // Feed-forward sub-layer.
            for (int t = 0; t < n; t++) VectorOps.RmsNorm(x.Slice(t * d, d), L.FfnNorm, c.RmsNormEps, buf.Xb.AsSpan(t * d, d));
            buf.InputVersion++;
            Linear(L.Gate, buf.Xb, n, buf.Gate, buf, pool);
            Linear(L.Up, buf.Xb, n, buf.Up, buf, pool);
            int ff = c.FeedForwardLength;
            VectorOps.SwiGlu(buf.Gate.AsSpan(0, n * ff), buf.Up.AsSpan(0, n * ff));
            buf.InputVersion++;
            Linear(L.Down, buf.Gate, n, buf.Xb, buf, pool);
            TensorPrimitives.Add(x, buf.Xb.AsSpan(0, n * d), x);
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
            buf.InputVersion++;
            Linear(_w.Output, buf.Xb, rows, buf.Logits, buf, pool);
            buf.Logits.AsSpan(0, rows * vocab).CopyTo(logits.Slice(o0 * vocab, rows * vocab));
        }
    }

    private void Linear(WeightMatrix w, float[] input, int nTokens, float[] output, ForwardBuffers buf, WorkerPool pool)
    {
        var act = TensorTypes.Get(w.Traits.VecDotType);
        int stride = (int)act.RowBytes(w.Columns);
        if (buf.QuantizedFor != (input, buf.InputVersion, act.Type))
        {
            for (int t = 0; t < nTokens; t++)
            {
                act.Quantize!(input.AsSpan(t * w.Columns, w.Columns), buf.Quantized.AsSpan(t * stride, stride));
            }
            buf.QuantizedFor = (input, buf.InputVersion, act.Type);
        }
        _matMul.Set(w, buf.Quantized, stride, nTokens, output, pool.ThreadCount);
        pool.Run(_matMul, _matMul.ChunkCount, (long)w.Rows * w.Columns * nTokens);
    }
}
