using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// What distinguishes one decoder-only architecture from the Llama baseline. Each architecture file returns one of these;
/// the shared transformer reads it instead of branching on architecture names.
/// </summary>
internal sealed record ArchitectureTraits
{
    /// <summary>The <c>general.architecture</c> value.</summary>
    public required string Name { get; init; }

    public RopeStyle RopeStyle { get; init; } = RopeStyle.Normal;

    /// <summary>Whether q/k/v projections carry biases (<c>attn_q.bias</c>, ...). Loaded when present either way.</summary>
    public bool QkvBias { get; init; }

    /// <summary>Per-head RMS norms on queries and keys before RoPE (<c>attn_q_norm</c>, <c>attn_k_norm</c>).</summary>
    public bool QkNorm { get; init; }
}
