using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// <c>qwen3</c>: differs from Llama by NeoX-style RoPE and per-head RMS norms on queries and keys (applied before RoPE);
/// the head dimension comes from <c>attention.key_length</c> and need not equal n_embd / n_head. Qwen3-Embedding files
/// state last-token pooling; Qwen3-Reranker files state rank pooling with a two-row <c>cls.output</c> head (yes, no),
/// read at the last token and softmaxed (<see cref="ArchitectureTraits.LastTokenRank"/>).
/// </summary>
internal static class Qwen3
{
    public static ArchitectureTraits Traits { get; } = new() { Name = "qwen3", RopeStyle = RopeStyle.NeoX, QkNorm = true, LastTokenRank = true };
}
