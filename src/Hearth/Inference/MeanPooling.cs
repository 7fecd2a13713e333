using System.Numerics.Tensors;
using Hearth.Numerics;

namespace Hearth.Inference;

/// <summary>
/// The engine hook for embeddings: runs tokens through the transformer in a scratch KV cache of their own and pools
/// the final hidden states. Pooling: each token's last-layer hidden state after the output norm (the vector the output
/// head reads), averaged over all tokens (mean pooling), then scaled to unit Euclidean length — llama.cpp's
/// <c>--pooling mean</c> with its default normalisation.
/// </summary>
internal static class MeanPooling
{
    public static void Embed(Model model, ReadOnlySpan<int> tokens, Span<float> destination) // destination: [n_embd]
    {
        var c = model.Config;
        int d = c.EmbeddingLength;
        if (tokens.IsEmpty) throw new ArgumentException("No tokens to embed.", nameof(tokens));
        if (destination.Length != d) throw new ArgumentException($"The destination needs {d} elements (n_embd).", nameof(destination));
        int vocab = c.VocabSize;
        foreach (int t in tokens)
        {
            if ((uint)t >= (uint)vocab) throw new ArgumentOutOfRangeException(nameof(tokens), t, $"Token ids must be in [0, {vocab}).");
        }
        destination.Clear();
        var norm = new float[d];                    // [n_embd]
        var cache = new KvCache(c, tokens.Length);
        var outputNorm = model.Transformer.Weights.OutputNorm; // [n_embd]
        using var lease = model.Acquire();
        lock (model.ComputeLock)
        {
            var buf = model.Buffers(tokens.Length);
            for (int i0 = 0; i0 < tokens.Length; i0 += buf.MaxBatch)
            {
                int n = Math.Min(buf.MaxBatch, tokens.Length - i0);
                for (int t = 0; t < n; t++)
                {
                    buf.TokenPos[t] = i0 + t;
                    buf.TokenCache[t] = cache;
                }
                // No output rows: only the residual stream is wanted (buf.X, // [n, n_embd]).
                model.Transformer.Forward(tokens.Slice(i0, n), buf, model.Pool, ReadOnlySpan<int>.Empty, Span<float>.Empty);
                for (int t = 0; t < n; t++)
                {
                    VectorOps.RmsNorm(buf.X.AsSpan(t * d, d), outputNorm, c.RmsNormEps, norm);
                    TensorPrimitives.Add(destination, norm, destination);
                }
            }
        }
        TensorPrimitives.Divide(destination, tokens.Length, destination);
        float length = TensorPrimitives.Norm(destination);
        if (length > 0) TensorPrimitives.Divide(destination, length, destination);
    }
}
