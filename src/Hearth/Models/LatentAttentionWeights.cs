namespace Hearth.Models;

/// <summary>
/// Multi-head latent attention weights of one block (DeepSeek-V2/V3). Keys and values are compressed into one latent
/// vector of kv_lora_rank per token (plus a shared rope key); per head, <see cref="KAbsorb"/> maps the no-rope query into
/// latent space and <see cref="VDecompress"/> maps the attended latent back to a value head.
/// </summary>
internal sealed class LatentAttentionWeights
{
    /// <summary>Plain query projection (DeepSeek-V2-Lite) or null when the query is compressed.</summary>
    public WeightMatrix? Wq { get; init; }                  // [n_embd] -> [n_head * (nope + rope)]

    public WeightMatrix? WqA { get; init; }                 // [n_embd] -> [q_lora_rank]

    public float[]? QANorm { get; init; }                   // [q_lora_rank]

    public WeightMatrix? WqB { get; init; }                 // [q_lora_rank] -> [n_head * (nope + rope)]

    public required WeightMatrix WkvA { get; init; }        // [n_embd] -> [kv_lora_rank + rope]

    public required float[] KvANorm { get; init; }          // [kv_lora_rank]

    /// <summary>Per head: rows = latent dims, columns = no-rope key dims (attn_k_b), so q_latent = KAbsorb[h] · q_nope;
    /// or, from an older file's fused attn_kv_b, rows = no-rope key dims, columns = latent (<see cref="KAbsorbTransposed"/>).</summary>
    public required WeightMatrix[] KAbsorb { get; init; }

    public bool KAbsorbTransposed { get; init; }

    /// <summary>Per head: [kv_lora_rank] -> [v_head_dim] (attn_v_b, or the value rows of attn_kv_b).</summary>
    public required WeightMatrix[] VDecompress { get; init; }
}
