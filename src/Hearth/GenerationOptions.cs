using Hearth.Sampling;

namespace Hearth;

/// <summary>How a completion is generated: the sampler, the token limit and stop strings.</summary>
public sealed record GenerationOptions
{
    /// <summary>The most tokens to generate; generation also ends at an end-of-generation token.</summary>
    public int MaxTokens { get; init; } = 256;

    /// <summary>How each token is chosen (llama.cpp's defaults; <see cref="SamplerOptions.Greedy"/> for deterministic output).</summary>
    public SamplerOptions Sampling { get; init; } = new();

    /// <summary>
    /// Generation ends when the text contains one of these; the stop string itself is not returned. Text that could be
    /// the start of a stop string is held back until it is known not to be.
    /// </summary>
    public IReadOnlyList<string>? StopStrings { get; init; }

    internal void Validate()
    {
        if (MaxTokens < 0) throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, "MaxTokens must be zero or positive.");
        if (Sampling is null) throw new ArgumentException("GenerationOptions.Sampling must not be null.", nameof(Sampling));
    }
}
