using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// <c>phi3</c>: Phi-3/3.5/4-mini. Differs from Llama by NeoX-style RoPE (partial when rope.dimension_count is below the
/// head size), q/k/v fused in one <c>attn_qkv</c> matrix and gate/up in one <c>ffn_up</c> (both used as row ranges in
/// place), and queries scaled before the scores. llama.cpp ignores Phi's sliding window, and so does Hearth.
/// </summary>
internal static class Phi3
{
    public static ArchitectureTraits Traits { get; } = new()
    {
        Name = "phi3",
        RopeStyle = RopeStyle.NeoX,
        ScaleQueries = true,
        Configure = (c, _) => c.SlidingWindow = 0,
    };
}
