using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// <c>llama</c>: Llama 1/2/3, Mistral, TinyLlama, DeepSeek-R1-Distill-Llama. The baseline: RMSNorm, adjacent-pair RoPE,
/// grouped-query attention, SwiGLU feed-forward, no biases.
/// </summary>
internal static class Llama
{
    public static ArchitectureTraits Traits { get; } = new() { Name = "llama", RopeStyle = RopeStyle.Normal };
}
