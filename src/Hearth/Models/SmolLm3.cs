using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// <c>smollm3</c>: SmolLM3-3B. The Llama block (normal RoPE, SwiGLU, grouped-query attention) except that every fourth
/// layer (layers 3, 7, 11, ...) leaves queries and keys unrotated (NoPE); llama.cpp fixes the step at 4 without a
/// metadata key, and so does Hearth.
/// </summary>
internal static class SmolLm3
{
    private const int NoRopeStep = 4;

    public static ArchitectureTraits Traits { get; } = new()
    {
        Name = "smollm3",
        RopeStyle = RopeStyle.Normal,
        Configure = (c, _) =>
        {
            var noRope = new bool[c.BlockCount];
            for (int l = 0; l < noRope.Length; l++) noRope[l] = (l + 1) % NoRopeStep == 0;
            c.NoRopeLayers = noRope;
        },
    };
}
