namespace Hearth;

public sealed partial class Model
{
    /// <summary>Length of the vectors <see cref="Embed(string)"/> returns (the model's n_embd).</summary>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public int EmbeddingDimensions => Config.EmbeddingLength;

    /// <summary>
    /// A sentence embedding of <paramref name="text"/>, as <see cref="Embed(IReadOnlyList{string})"/> gives it: pooled
    /// the model's way (<see cref="Pooling"/>; a chat model: the final hidden states after the output norm, mean-pooled
    /// over the tokens, BOS included when the vocabulary adds it) and scaled to unit length, so the dot product of two
    /// embeddings is their cosine similarity. Thread-safe; uses scratch caches, not any session's.
    /// </summary>
    /// <exception cref="ArgumentException">The text has no tokens.</exception>
    /// <exception cref="NotSupportedException">The model states no pooling.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public float[] Embed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rows = Embed([text]);
        return rows[0];
    }

    /// <summary>
    /// As <see cref="Embed(string)"/> for token ids, into <paramref name="destination"/> (// [n_embd]); not for a
    /// reranker, whose outputs are scores (use <see cref="Rerank"/>).
    /// </summary>
    /// <exception cref="ArgumentException">No tokens, a token outside the vocabulary, or a destination of the wrong length.</exception>
    /// <exception cref="NotSupportedException">The model pools by rank or not at all.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public void Embed(ReadOnlySpan<int> tokens, Span<float> destination)
    {
        if (tokens.IsEmpty) throw new ArgumentException("No tokens to embed.", nameof(tokens));
        if (destination.Length != EmbeddingDimensions) throw new ArgumentException($"The destination needs {EmbeddingDimensions} elements (n_embd).", nameof(destination));
        if (Config.Pooling is PoolingType.Rank or PoolingType.None)
        {
            throw new NotSupportedException($"This model pools by '{Pooling.ToString().ToLowerInvariant()}', which gives no embedding vector per input; use Rerank or Embed(texts).");
        }
        PoolInputs([tokens.ToArray()])[0].CopyTo(destination);
    }
}
