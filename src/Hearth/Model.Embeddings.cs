using Hearth.Inference;

namespace Hearth;

public sealed partial class Model
{
    /// <summary>Length of the vectors <see cref="Embed(string)"/> returns (the model's n_embd).</summary>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public int EmbeddingDimensions => Config.EmbeddingLength;

    /// <summary>
    /// A sentence embedding of <paramref name="text"/>: the final hidden states after the output norm, mean-pooled over
    /// the tokens (BOS included when the vocabulary adds it) and scaled to unit length, so the dot product of two
    /// embeddings is their cosine similarity. Thread-safe; uses a scratch cache, not any session's.
    /// </summary>
    /// <exception cref="ArgumentException">The text has no tokens.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public float[] Embed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_encoder != null) return Embed([text])[0];
        var tokens = Tokenizer.Encode(text, addSpecial: true);
        if (tokens.Length == 0) throw new ArgumentException("The text has no tokens to embed.", nameof(text));
        var result = new float[EmbeddingDimensions];
        MeanPooling.Embed(this, tokens, result);
        return result;
    }

    /// <summary>As <see cref="Embed(string)"/> for token ids, into <paramref name="destination"/> (// [n_embd]).</summary>
    /// <exception cref="ArgumentException">No tokens, a token outside the vocabulary, or a destination of the wrong length.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public void Embed(ReadOnlySpan<int> tokens, Span<float> destination) => MeanPooling.Embed(this, tokens, destination);
}
