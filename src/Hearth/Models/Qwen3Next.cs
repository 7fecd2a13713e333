using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// <c>qwen3next</c> (Qwen3-Next-80B-A3B): the layer pattern of <see cref="Qwen35Moe"/> — Gated DeltaNet layers, every
/// fourth gated attention, experts with a sigmoid-gated shared expert everywhere — with plain NeoX RoPE, key heads
/// repeated for consecutive value heads (value head h reads key head h / (n_v / n_k)), and in older files q, k, v, z in
/// one grouped projection (<c>ssm_in</c>); β and α always come grouped in <c>ssm_ba</c>.
/// </summary>
internal static class Qwen3Next
{
    public static ArchitectureTraits Traits { get; } = new()
    {
        Name = "qwen3next",
        RopeStyle = RopeStyle.NeoX,
        QkNorm = true,
        FfnNormTensor = "post_attention_norm",
        Configure = (c, file) =>
        {
            if (c.ExpertCount <= 0) throw new ModelConfigurationException($"A qwen3next model needs '{c.Architecture}.expert_count'.");
            Qwen35Moe.Traits.Configure!(c, file);
            c.RopeSections = null;
            c.DeltaGroupedKeyHeads = true;
        },
    };
}
