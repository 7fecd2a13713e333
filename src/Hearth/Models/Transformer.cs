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
    /// Runs <paramref name="tokens"/> (at most the buffers' batch size) at positions startPos.. and writes their keys and
    /// values into the cache. Writes the last position's logits into <c>buf.Logits</c>, and every position's into
    /// <paramref name="allLogits"/> when it is not empty (// [n_tokens, n_vocab]).
    /// </summary>
    public void Forward(ReadOnlySpan<int> tokens, int startPos, KvCache cache, ForwardBuffers buf, WorkerPool pool, Span<float> allLogits)
    {
        var c = Config;
        int n = tokens.Length, d = c.EmbeddingLength;
        int qDim = c.HeadCount * c.HeadDim, kDim = c.HeadCountKv * c.HeadDim, vDim = c.HeadCountKv * c.ValueHeadDim;
        int attnDim = c.HeadCount * c.ValueHeadDim;
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
                _rope.Apply(q, c.HeadCount, c.HeadDim, startPos + t);
                _rope.Apply(k, c.HeadCountKv, c.HeadDim, startPos + t);
                TensorPrimitives.ConvertToHalf(k, cache.Keys(l, startPos + t));
                TensorPrimitives.ConvertToHalf(v, cache.Values(l, startPos + t));
            }
            _attention.Set(c, cache, buf, l, startPos, n);
            pool.Run(_attention, n * c.HeadCount);
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

        // Output head: only the rows whose logits are wanted.
        int first = allLogits.IsEmpty ? n - 1 : 0;
        int rows = n - first;
        for (int t = first; t < n; t++) VectorOps.RmsNorm(x.Slice(t * d, d), _w.OutputNorm, c.RmsNormEps, buf.Xb.AsSpan((t - first) * d, d));
        buf.InputVersion++;
        if (allLogits.IsEmpty)
        {
            Linear(_w.Output, buf.Xb, 1, buf.Logits, buf, pool);
        }
        else
        {
            // Large vocabularies × many tokens: go row block by row block through the shared logits buffer.
            for (int t = 0; t < rows; t++)
            {
                buf.InputVersion++;
                LinearAt(_w.Output, buf.Xb, t, buf.Logits, buf, pool);
                buf.Logits.AsSpan().CopyTo(allLogits.Slice(t * c.VocabSize, c.VocabSize));
            }
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
        pool.Run(_matMul, _matMul.ChunkCount);
    }

    /// <summary>Projects one row <paramref name="token"/> of <paramref name="input"/>.</summary>
    private void LinearAt(WeightMatrix w, float[] input, int token, float[] output, ForwardBuffers buf, WorkerPool pool)
    {
        var act = TensorTypes.Get(w.Traits.VecDotType);
        int stride = (int)act.RowBytes(w.Columns);
        act.Quantize!(input.AsSpan(token * w.Columns, w.Columns), buf.Quantized.AsSpan(0, stride));
        buf.QuantizedFor = default;
        _matMul.Set(w, buf.Quantized, stride, 1, output, pool.ThreadCount);
        pool.Run(_matMul, _matMul.ChunkCount);
    }
}
