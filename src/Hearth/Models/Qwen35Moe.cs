using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// <c>qwen35moe</c> (Qwen3.5/3.6 mixture of experts, e.g. 35B-A3B): <see cref="Qwen35"/>'s hybrid of Gated DeltaNet and
/// gated attention with a <see cref="MixtureOfExperts"/> in every layer — softmax router, the chosen experts' weights
/// normalised — plus a shared expert (<c>expert_shared_feed_forward_length</c> wide) scaled by sigmoid of its own gate
/// (<c>ffn_gate_inp_shexp</c>).
/// </summary>
internal static class Qwen35Moe
{
    public static ArchitectureTraits Traits { get; } = new()
    {
        Name = "qwen35moe",
        RopeStyle = RopeStyle.NeoX,
        QkNorm = true,
        FfnNormTensor = "post_attention_norm",
        Configure = (c, file) =>
        {
            Qwen35.Configure(c, file);
            c.ExpertWeightsNorm = true;
            c.ExpertGating = ExpertGating.Softmax;
            c.ExpertSharedFeedForwardLength = ModelConfig.ReadInt(file, $"{c.Architecture}.expert_shared_feed_forward_length", 0);
        },
    };
}
