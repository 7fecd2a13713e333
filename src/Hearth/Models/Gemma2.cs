using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// <c>gemma2</c>: embeddings scaled by sqrt(n_embd); GELU-tanh gated feed-forward; RMS norms before and after both
/// sub-layers (GGUF stores Gemma's norm weights already as 1 + w, so they multiply like any other); NeoX RoPE; queries
/// scaled by 1/sqrt(head_dim) (1/sqrt(n_embd/n_head) for the 46-layer 27B, as llama.cpp decides it); attention scores and
/// final logits soft-capped by tanh (defaults 50 and 30); every other layer (pattern 2, the even ones) attends within a
/// sliding window (default 4096).
/// </summary>
internal static class Gemma2
{
    public static ArchitectureTraits Traits { get; } = new()
    {
        Name = "gemma2",
        RopeStyle = RopeStyle.NeoX,
        Activation = FeedForwardActivation.GeluTanh,
        ScaleQueries = true,
        PostNorms = true,
        Configure = (c, file) =>
        {
            string a = c.Architecture;
            c.EmbeddingScale = MathF.Sqrt(c.EmbeddingLength);
            if (file.GetInt64($"{a}.attention.sliding_window") is null) c.SlidingWindow = 4096;
            c.SlidingLayers = Gemma.SlidingPattern(c.BlockCount, ModelConfig.ReadInt(file, $"{a}.attention.sliding_window_pattern", 2));
            c.AttnLogitSoftcap = (float)(file.GetDouble($"{a}.attn_logit_softcapping") ?? 50.0);
            c.FinalLogitSoftcap = (float)(file.GetDouble($"{a}.final_logit_softcapping") ?? 30.0);
            c.AttentionScale = Gemma.QueryScale(c, largest: c.BlockCount == 46);
        },
    };
}
