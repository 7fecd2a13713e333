using System.Diagnostics;
using System.Text;
using Hearth.Tokenization;

namespace Hearth.Inference;

/// <summary>The outcome of one generation: token ids, text and timings.</summary>
internal sealed class GenerationResult
{
    public required IReadOnlyList<int> PromptTokens { get; init; }

    public required IReadOnlyList<int> Tokens { get; init; }

    public required string Text { get; init; }

    /// <summary>Why generation stopped: "eos" (an end-of-generation token) or "length" (the token limit).</summary>
    public required string StopReason { get; init; }

    public required TimeSpan PromptTime { get; init; }

    public required TimeSpan GenerationTime { get; init; }
}

/// <summary>
/// Prompt processing then token-by-token decoding: evaluate the prompt in batches, pick each next token from the logits,
/// stop at an end-of-generation token or after <c>maxTokens</c>, and stream decoded text as it becomes valid UTF-8.
/// </summary>
internal static class TextGenerator
{
    /// <summary>Picks the next token from the logits (greedy, or a sampler chain).</summary>
    public delegate int TokenPicker(ReadOnlySpan<float> logits);

    public static GenerationResult Generate(
        InferenceSession session, Tokenizer tokenizer, IReadOnlyList<int> promptTokens, int maxTokens,
        TokenPicker? pick = null, Action<string>? onText = null, Action<int>? onToken = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(promptTokens);
        pick ??= Greedy;
        if (promptTokens.Count == 0) throw new ArgumentException("The prompt has no tokens.", nameof(promptTokens));
        int needed = session.Position + promptTokens.Count;
        if (needed > session.ContextSize) throw new ContextOverflowException(needed, session.ContextSize);

        var sw = Stopwatch.StartNew();
        var prompt = new int[promptTokens.Count];
        for (int i = 0; i < prompt.Length; i++) prompt[i] = promptTokens[i];
        var logits = session.Evaluate(prompt);
        var promptTime = sw.Elapsed;

        sw.Restart();
        var tokens = new List<int>();
        var text = new StringBuilder();
        var decoder = new UTF8Encoding(false, false).GetDecoder();
        var chars = new char[64];
        string reason = "length";
        var one = new int[1];
        for (int i = 0; i < maxTokens; i++)
        {
            int next = pick(logits);
            if (tokenizer.IsEndOfGeneration(next))
            {
                reason = "eos";
                break;
            }
            tokens.Add(next);
            onToken?.Invoke(next);
            var bytes = tokenizer.TokenBytes(next);
            if (chars.Length < bytes.Length + 4) chars = new char[bytes.Length + 4];
            int n = decoder.GetChars(bytes, chars, flush: false);
            if (n > 0)
            {
                text.Append(chars, 0, n);
                onText?.Invoke(new string(chars, 0, n));
            }
            if (i + 1 == maxTokens) break;
            if (session.Position >= session.ContextSize)
            {
                reason = "context";
                break;
            }
            one[0] = next;
            logits = session.Evaluate(one);
        }
        int tail = decoder.GetChars([], chars, flush: true);
        if (tail > 0)
        {
            text.Append(chars, 0, tail);
            onText?.Invoke(new string(chars, 0, tail));
        }
        return new GenerationResult
        {
            PromptTokens = prompt,
            Tokens = tokens,
            Text = text.ToString(),
            StopReason = reason,
            PromptTime = promptTime,
            GenerationTime = sw.Elapsed,
        };
    }

    /// <summary>Argmax over the logits (ties go to the lowest id, as llama.cpp's greedy sampler).</summary>
    public static int Greedy(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best]) best = i;
        }
        return best;
    }
}
