using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// <c>qwen3</c>: differs from Llama by NeoX-style RoPE and per-head RMS norms on queries and keys (applied before RoPE);
/// the head dimension comes from <c>attention.key_length</c> and need not equal n_embd / n_head.
/// </summary>
internal static class Qwen3
{
    public static ArchitectureTraits Traits { get; } = new() { Name = "qwen3", RopeStyle = RopeStyle.NeoX, QkNorm = true };
}
