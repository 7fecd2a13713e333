using System.Numerics.Tensors;
using Hearth.Inference;
using Hearth.Numerics;

namespace Hearth.Server.Embeddings;

/// <summary>
/// Sentence embeddings from a decoder model: run the tokens through the transformer (causal attention, a scratch KV
/// cache of their own), take each token's final hidden state after the output norm (the vector the output head would
/// read), average over the tokens (mean pooling) and scale to unit length, as llama.cpp does for <c>--pooling mean</c>
/// with its default Euclidean normalisation.
/// </summary>
internal sealed class MeanPoolEmbedder
{
    private readonly Model _model;

    public MeanPoolEmbedder(Model model) => _model = model;

    public int Dimensions => _model.Config.EmbeddingLength;

    public float[] Embed(ReadOnlySpan<int> tokens)
    {
        if (tokens.IsEmpty) throw new ArgumentException("No tokens to embed.", nameof(tokens));
        var c = _model.Config;
        int d = c.EmbeddingLength;
        var sum = new float[d];  // [n_embd]
        var norm = new float[d]; // [n_embd]
        var cache = new KvCache(c, tokens.Length);
        var weights = _model.Transformer.Weights.OutputNorm; // [n_embd]
        lock (_model.ComputeLock)
        {
            var buf = _model.Buffers(tokens.Length);
            for (int i0 = 0; i0 < tokens.Length; i0 += buf.MaxBatch)
            {
                int n = Math.Min(buf.MaxBatch, tokens.Length - i0);
                for (int t = 0; t < n; t++)
                {
                    buf.TokenPos[t] = i0 + t;
                    buf.TokenCache[t] = cache;
                }
                // No output rows: only the residual stream (buf.X, // [n, n_embd]) is wanted.
                _model.Transformer.Forward(tokens.Slice(i0, n), buf, _model.Pool, ReadOnlySpan<int>.Empty, Span<float>.Empty);
                for (int t = 0; t < n; t++)
                {
                    VectorOps.RmsNorm(buf.X.AsSpan(t * d, d), weights, c.RmsNormEps, norm);
                    TensorPrimitives.Add(sum, norm, sum);
                }
            }
        }
        TensorPrimitives.Divide(sum, tokens.Length, sum);
        float length = TensorPrimitives.Norm(sum);
        if (length > 0) TensorPrimitives.Divide(sum, length, sum);
        return sum;
    }
}
