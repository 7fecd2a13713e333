namespace Hearth.Sampling;

/// <summary>
/// How the next token is chosen from the logits. Defaults are llama.cpp's common sampling defaults
/// (temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, penalties off, last 64 tokens).
/// </summary>
public sealed record SamplerOptions
{
    /// <summary>Greedy decoding: always the most likely token (after penalties and logit bias).</summary>
    public static SamplerOptions Greedy { get; } = new() { Temperature = 0 };

    /// <summary>Divides the logits; 0 (or less) means greedy.</summary>
    public float Temperature { get; init; } = 0.8f;

    /// <summary>Keep only the K most likely tokens; 0 turns it off.</summary>
    public int TopK { get; init; } = 40;

    /// <summary>Keep the smallest set of most likely tokens whose probabilities sum to at least P; 1 turns it off.</summary>
    public float TopP { get; init; } = 0.95f;

    /// <summary>Drop tokens whose probability is below MinP times the most likely one's; 0 turns it off.</summary>
    public float MinP { get; init; } = 0.05f;

    /// <summary>Locally typical sampling mass; 1 turns it off.</summary>
    public float TypicalP { get; init; } = 1.0f;

    /// <summary>Divides positive (multiplies negative) logits of tokens seen in the window; 1 turns it off.</summary>
    public float RepeatPenalty { get; init; } = 1.0f;

    /// <summary>Subtracted once from the logit of every token seen in the window.</summary>
    public float PresencePenalty { get; init; }

    /// <summary>Subtracted from a token's logit once per occurrence in the window.</summary>
    public float FrequencyPenalty { get; init; }

    /// <summary>How many of the last accepted tokens the penalties look at; -1 means all since the last reset, 0 turns penalties off.</summary>
    public int PenaltyLastN { get; init; } = 64;

    /// <summary>Added to the logits of the given token ids (use <see cref="float.NegativeInfinity"/> to ban a token).</summary>
    public IReadOnlyDictionary<int, float>? LogitBias { get; init; }

    /// <summary>Seed of the random number generator; null picks a random seed (see <see cref="Sampler.Seed"/>).</summary>
    public ulong? Seed { get; init; }

    /// <summary>
    /// When set, only tokens that keep the output a valid prefix of this grammar are sampled, and end-of-generation
    /// tokens only once the output is complete. The <see cref="Sampler"/> then needs a <see cref="GrammarVocabulary"/>.
    /// </summary>
    public Grammar? Grammar { get; init; }
}
