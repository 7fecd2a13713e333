using Hearth.Numerics;

namespace Hearth.Models;

/// <summary><c>qwen2</c>: Qwen2/2.5, DeepSeek-R1-Distill-Qwen. Differs from Llama by biases on q/k/v and NeoX-style RoPE.</summary>
internal static class Qwen2
{
    public static ArchitectureTraits Traits { get; } = new() { Name = "qwen2", RopeStyle = RopeStyle.NeoX, QkvBias = true };
}
