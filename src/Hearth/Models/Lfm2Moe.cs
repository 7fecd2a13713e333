using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// <c>lfm2moe</c> (LFM2-8B-A1B, LFM2-24B-A2B): <see cref="Lfm2"/>'s layers (gated short convolutions where
/// head_count_kv is 0, else q/k-normed attention) with a <see cref="MixtureOfExperts"/> after
/// <c>leading_dense_block_count</c> dense blocks: the file's gating function (sigmoid in the released models), the
/// per-expert selection bias <c>exp_probs_b</c>, the chosen experts' weights normalised and not scaled (llama.cpp reads
/// no weights scale for this architecture), no shared expert.
/// </summary>
internal static class Lfm2Moe
{
    public static ArchitectureTraits Traits { get; } = new()
    {
        Name = "lfm2moe",
        RopeStyle = RopeStyle.NeoX,
        QkNorm = true,
        OutputNormName = "token_embd_norm",
        Configure = (c, file) =>
        {
            Lfm2.Configure(c, file);
            if (c.ExpertCount <= 0) throw new ModelConfigurationException($"An lfm2moe model needs '{c.Architecture}.expert_count'.");
            c.ExpertWeightsNorm = true;
            c.ExpertWeightsScale = 1f;
        },
    };
}
