using Hearth.Gguf;

namespace Hearth.Models;

/// <summary>
/// <c>gpt-oss</c> (OpenAI gpt-oss-20b/120b; llama.cpp's openai-moe graph): every block is attention then a mixture of
/// experts, with no dense feed-forward. What differs from Llama: biases on the q/k/v/o projections, the router and
/// every expert's gate/up/down; a learned per-head sink logit that joins each softmax over the attention scores
/// (<c>attn_sinks</c>); sliding-window (<c>attention.sliding_window</c>, 128) and full layers alternating, the even
/// layers local (<c>attention.sliding_window_pattern</c>, default 2); the feed-forward input norm is stored as
/// <c>post_attention_norm</c>; NeoX RoPE with YaRN (factor 32 over 4096 positions in the released files); routing takes
/// the top-k router logits and weighs the chosen experts by a softmax over those k logits only; the experts use
/// OpenAI's clamped SwiGLU (<see cref="FeedForwardActivation.SwigluOai"/>). Scores are scaled by 1/sqrt(rope dims).
/// </summary>
internal static class GptOss
{
    public static ArchitectureTraits Traits { get; } = new()
    {
        Name = "gpt-oss",
        RopeStyle = Numerics.RopeStyle.NeoX,
        QkvBias = true,
        Activation = FeedForwardActivation.SwigluOai,
        FfnNormTensor = "post_attention_norm",
        AttentionSinks = true,
        Configure = (c, file) =>
        {
            string a = c.Architecture;
            if (c.ExpertCount <= 0) throw new ModelConfigurationException($"A gpt-oss model needs '{a}.expert_count'.");
            if (c.SlidingWindow > 0)
            {
                c.SlidingLayers = Gemma.SlidingPattern(c.BlockCount, ModelConfig.ReadInt(file, $"{a}.attention.sliding_window_pattern", 2));
            }
            c.ExpertGating = ExpertGating.SoftmaxWeight;
            c.ExpertWeightsNorm = false;
            c.AttentionScale = 1f / MathF.Sqrt(c.RopeDimensionCount);
        },
    };
}
