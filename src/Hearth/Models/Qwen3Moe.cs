using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// <c>qwen3moe</c>: Qwen3-30B-A3B, Qwen3-235B-A22B and Qwen3-Coder-30B-A3B/480B-A35B. Qwen 3's attention (NeoX RoPE, per-head
/// RMS norms on queries and keys before RoPE, head width from <c>attention.key_length</c>) with a
/// <see cref="MixtureOfExperts"/> in every block: a softmax router over <c>expert_count</c> experts (128), the
/// <c>expert_used_count</c> best (8) weighted by their probabilities divided by the chosen ones' sum, no shared expert
/// and no weight scale, as llama.cpp's qwen3moe graph fixes them whatever the file says. Files without
/// <c>expert_feed_forward_length</c> get n_ff / n_expert_used, as there. The Coder files differ only in metadata
/// (262144 context, rope base 1e7, <c>expert_shared_feed_forward_length</c> 0) and in their chat template.
/// </summary>
internal static class Qwen3Moe
{
    public static ArchitectureTraits Traits { get; } = new()
    {
        Name = "qwen3moe",
        RopeStyle = RopeStyle.NeoX,
        QkNorm = true,
        Configure = (c, _) =>
        {
            if (c.ExpertCount <= 0 || c.ExpertUsedCount <= 0)
                throw new ModelConfigurationException($"A qwen3moe model needs positive '{c.Architecture}.expert_count' and '{c.Architecture}.expert_used_count'.");
            if (c.ExpertFeedForwardLength == 0) c.ExpertFeedForwardLength = c.FeedForwardLength / c.ExpertUsedCount;
            c.ExpertWeightsNorm = true;
            c.ExpertWeightsScale = 1f;
            c.ExpertGating = ExpertGating.Softmax;
            c.ExpertSharedCount = 0;
            c.LeadingDenseBlockCount = 0;
            c.ExpertGroupCount = 0;
        },
    };
}
