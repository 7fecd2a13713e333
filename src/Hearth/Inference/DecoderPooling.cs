using System.Numerics.Tensors;
using Hearth.Numerics;

namespace Hearth.Inference;

/// <summary>
/// Pooled hidden states of a decoder (a chat model mean-pooled, Qwen3-Embedding's last token, Qwen3-Reranker's last
/// token before its head). All inputs run together: their tokens are packed into batches of the model's batch size,
/// each input in a scratch KV cache (and recurrent state) of its own, so an input may straddle two batches and many short
/// inputs share one pass. Each wanted token's last-layer state goes through the output norm (the vector the output head
/// reads, llama.cpp's result_norm); an input's vector is their mean, the first or the last — not normalised.
/// </summary>
internal static class DecoderPooling
{
    /// <summary>One vector (// [n_embd]) per input; <paramref name="pooling"/> is Mean, Cls (first token) or Last.</summary>
    public static float[][] Pool(Model model, IReadOnlyList<int[]> inputs, PoolingType pooling)
    {
        if (pooling is not (PoolingType.Mean or PoolingType.Cls or PoolingType.Last)) throw new ArgumentOutOfRangeException(nameof(pooling));
        var c = model.Config;
        int d = c.EmbeddingLength, vocab = c.VocabSize, longest = 1;
        var pooled = new float[inputs.Count][];
        for (int s = 0; s < inputs.Count; s++)
        {
            var input = inputs[s];
            if (input.Length == 0) throw new ArgumentException("No tokens to embed.", nameof(inputs));
            foreach (int t in input)
            {
                if ((uint)t >= (uint)vocab) throw new ArgumentOutOfRangeException(nameof(inputs), t, $"Token ids must be in [0, {vocab}).");
            }
            longest = Math.Max(longest, input.Length);
            pooled[s] = new float[d];
        }
        var transformer = model.Transformer;
        var outputNorm = transformer.Weights.OutputNorm; // [n_embd]
        var norm = new float[d];                         // [n_embd]
        var caches = new KvCache?[inputs.Count];
        var states = c.IsRecurrent ? new RecurrentState?[inputs.Count] : null;
        using var lease = model.Acquire();
        lock (model.ComputeLock)
        {
            var buf = model.Buffers(longest);
            int maxBatch = buf.MaxBatch;
            var batch = new int[maxBatch];
            var owner = new int[maxBatch];   // [batch] the input each token belongs to
            int seq = 0, pos = 0;            // the next token to schedule: input seq, position pos
            while (seq < inputs.Count)
            {
                int n = 0, firstSeq = seq;
                while (n < maxBatch && seq < inputs.Count)
                {
                    var input = inputs[seq];
                    caches[seq] ??= new KvCache(c, input.Length);
                    if (states != null) states[seq] ??= new RecurrentState(c);
                    int take = Math.Min(maxBatch - n, input.Length - pos);
                    for (int i = 0; i < take; i++, n++)
                    {
                        batch[n] = input[pos + i];
                        owner[n] = seq;
                        buf.TokenPos[n] = pos + i;
                        buf.TokenCache[n] = caches[seq]!;
                        if (states != null) buf.TokenState[n] = states[seq];
                    }
                    pos += take;
                    if (pos == input.Length) (seq, pos) = (seq + 1, 0);
                }
                // No output rows: only the residual stream is wanted (buf.X, // [n, n_embd]).
                transformer.Forward(batch.AsSpan(0, n), buf, model.Pool, ReadOnlySpan<int>.Empty, Span<float>.Empty);
                for (int t = 0; t < n; t++)
                {
                    int s = owner[t], p = buf.TokenPos[t], last = inputs[s].Length - 1;
                    bool wanted = pooling == PoolingType.Mean || (pooling == PoolingType.Cls ? p == 0 : p == last);
                    if (!wanted) continue;
                    VectorOps.RmsNorm(buf.X.AsSpan(t * d, d), outputNorm, c.RmsNormEps, norm);
                    TensorPrimitives.Add(pooled[s], norm, pooled[s]);
                }
                // Inputs that ended in this batch give their caches back.
                for (int s = firstSeq; s < seq; s++)
                {
                    caches[s] = null;
                    if (states != null) states[s] = null;
                }
                Array.Clear(buf.TokenCache, 0, n);
                if (states != null) Array.Clear(buf.TokenState, 0, n);
            }
        }
        if (pooling == PoolingType.Mean)
        {
            for (int s = 0; s < inputs.Count; s++) TensorPrimitives.Divide(pooled[s], inputs[s].Length, pooled[s]);
        }
        return pooled;
    }
}
