using Hearth.Inference;

namespace Hearth.Cli.Commands;

/// <summary>Builds the token picker from the CLI's sampling flags.</summary>
internal static class SamplingFactory
{
    public static TextGenerator.TokenPicker Create(int vocabSize, float temperature, ulong? seed, int topK, float topP, float minP, float repeatPenalty)
    {
        _ = (vocabSize, seed, topK, topP, minP, repeatPenalty);
        if (temperature > 0)
        {
            // The sampler chain is being written; until it lands, non-greedy sampling is refused rather than faked.
            throw new NotSupportedException("Only greedy decoding (--temp 0) is available in this build.");
        }
        return TextGenerator.Greedy;
    }
}
