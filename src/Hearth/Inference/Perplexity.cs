namespace Hearth.Inference;

/// <summary>The outcome of a perplexity run.</summary>
public sealed record PerplexityResult(double Perplexity, int ScoredTokens, int Chunks, int ContextSize);

/// <summary>
/// Perplexity as llama.cpp's perplexity tool computes it: the text's tokens are cut into chunks of n_ctx tokens; each
/// chunk is evaluated from an empty cache with its first token replaced by BOS (when the vocabulary adds BOS), and only
/// the second half of each chunk is scored (the first half is context): for positions i in [n_ctx/2, n_ctx - 1),
/// -log p(token[i+1] | tokens[..i]). PPL = exp(mean of those).
/// </summary>
public static class Perplexity
{
    /// <summary>Perplexity of <paramref name="tokens"/> computed as llama.cpp's perplexity tool does (chunks of <paramref name="contextSize"/>, the second half of each scored).</summary>
    /// <exception cref="ArgumentException">Fewer tokens than two chunks need.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public static PerplexityResult Compute(Model model, IReadOnlyList<int> tokens, int contextSize, int bosId, Action<int, double>? onChunk = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokens);
        if (contextSize < 4) throw new ArgumentOutOfRangeException(nameof(contextSize), "The context must hold at least 4 tokens.");
        if (tokens.Count < 2 * contextSize)
        {
            throw new ArgumentException(
                $"The text has {tokens.Count} tokens; perplexity needs at least 2 × context = {2 * contextSize} tokens (use a smaller -c or a longer file).");
        }
        int vocab = model.Config.VocabSize;
        int chunks = tokens.Count / contextSize;
        int first = contextSize / 2;
        using var session = model.CreateSession(contextSize);
        var chunk = new int[contextSize];
        var logits = new float[contextSize * vocab];
        double nll = 0;
        int count = 0;
        for (int c = 0; c < chunks; c++)
        {
            for (int i = 0; i < contextSize; i++) chunk[i] = tokens[c * contextSize + i];
            if (bosId >= 0) chunk[0] = bosId;
            session.Reset();
            session.EvaluateAll(chunk, logits);
            for (int i = first; i < contextSize - 1; i++)
            {
                var row = logits.AsSpan(i * vocab, vocab);
                int target = tokens[c * contextSize + i + 1];
                nll += -LogSoftmaxAt(row, target);
                count++;
            }
            onChunk?.Invoke(c, Math.Exp(nll / count));
        }
        return new PerplexityResult(Math.Exp(nll / count), count, chunks, contextSize);
    }

    /// <summary>log softmax(row)[index], computed stably in double.</summary>
    internal static double LogSoftmaxAt(ReadOnlySpan<float> row, int index)
    {
        float max = float.NegativeInfinity;
        foreach (float v in row) max = Math.Max(max, v);
        double sum = 0;
        foreach (float v in row) sum += Math.Exp(v - max);
        return row[index] - max - Math.Log(sum);
    }
}
