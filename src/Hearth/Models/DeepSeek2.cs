using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// <c>deepseek2</c>: DeepSeek-V2/V2.5/V3/R1 and their Lite models. Differs from Llama by multi-head latent attention
/// (<see cref="LatentAttention"/>: queries plain or through a q_lora_rank bottleneck, keys and values from one compressed
/// latent of kv_lora_rank plus a shared rope key, which is all the KV cache holds), YaRN RoPE whose magnitude also scales
/// the attention (mscale² / sqrt(key width)), and a mixture of experts after <c>leading_dense_block_count</c> dense blocks
/// (<see cref="MixtureOfExperts"/>: softmax or sigmoid router, V3's selection bias and group-limited routing, weight
/// normalisation and scale, shared experts). Per-head key widths come from <c>attention.key_length_mla</c> /
/// <c>value_length_mla</c> (files with split attn_k_b/attn_v_b) or, in older files, key_length / value_length.
/// </summary>
internal static class DeepSeek2
{
    public static ArchitectureTraits Traits { get; } = new()
    {
        Name = "deepseek2",
        RopeStyle = RopeStyle.Normal,
        ScaledYarnLogMultiplier = true,
        Configure = (c, file) =>
        {
            string a = c.Architecture;
            if (c.KvLoraRank <= 0) throw new ModelConfigurationException($"A deepseek2 model needs '{a}.attention.kv_lora_rank'.", $"{a}.attention.kv_lora_rank");
            c.MlaKeyDim = ModelConfig.ReadInt(file, $"{a}.attention.key_length_mla", c.HeadDim, min: 1);
            c.MlaValueDim = ModelConfig.ReadInt(file, $"{a}.attention.value_length_mla", c.ValueHeadDim, min: 1);
        },
    };
}
