namespace Hearth.Models;

/// <summary>
/// The token mixer of a recurrent layer (its output projection is the layer's <see cref="LayerWeights.Wo"/>).
/// LFM2's short convolution uses <see cref="InProj"/> and <see cref="ConvTaps"/>; Gated DeltaNet all the rest too.
/// </summary>
internal sealed class RecurrentLayerWeights
{
    /// <summary>LFM2: b | c | x (3 n_embd rows). Gated DeltaNet: q | k | v (attn_qkv), the convolution's input. Mamba-2:
    /// z | x B C | dt (ssm_in), of which x B C is the convolution's input.</summary>
    public required WeightMatrix InProj { get; init; }      // [n_embd] -> [in width]

    /// <summary>The causal convolution's kernel, transposed to tap-major so a tap is a contiguous channel row.</summary>
    public required float[] ConvTaps { get; init; }         // [kernel, conv channels]

    /// <summary>Mamba-2: the convolution's bias (ssm_conv1d.bias), added before its SiLU; null when the file has none.</summary>
    public float[]? ConvBias { get; init; }                 // [conv channels]

    /// <summary>Qwen3-Next's older files: q, k, v and z in one projection (ssm_in), grouped per key head as
    /// [q (S), k (S), v (r·S), z (r·S)] with r = n_v / n_k; <see cref="InProj"/> then is this matrix.</summary>
    public bool FusedQkvz { get; init; }

    /// <summary>Qwen3-Next: β and α in one projection (ssm_ba), grouped per key head as [β (r), α (r)].</summary>
    public WeightMatrix? BetaAlpha { get; init; }           // [n_embd] -> [2 n_v_heads]

    /// <summary>Gated DeltaNet: the output gate z (attn_gate).</summary>
    public WeightMatrix? Gate { get; init; }                // [n_embd] -> [d_inner]

    /// <summary>Gated DeltaNet: the write strength before its sigmoid (ssm_beta).</summary>
    public WeightMatrix? Beta { get; init; }                // [n_embd] -> [n_v_heads]

    /// <summary>Gated DeltaNet: the decay input (ssm_alpha); g = softplus(alpha + DtBias) · A.</summary>
    public WeightMatrix? Alpha { get; init; }               // [n_embd] -> [n_v_heads]

    /// <summary>ssm_dt.bias: added to the per-head time step (Gated DeltaNet: to alpha) before its softplus.</summary>
    public float[]? DtBias { get; init; }                   // [n_v_heads] (Mamba-2: [heads])

    /// <summary>ssm_a: -exp(A_log) as the converter stores it (negative, so g is a log decay).</summary>
    public float[]? A { get; init; }                        // [n_v_heads] (Mamba-2: [heads])

    /// <summary>Mamba-2: the skip D per head (ssm_d): y += D · x.</summary>
    public float[]? D { get; init; }                        // [heads]

    /// <summary>Gated DeltaNet: RMS norm of each head's output before the SiLU(z) gate (ssm_norm). Mamba-2: of each group's
    /// channels after the gate, one weight per channel.</summary>
    public float[]? Norm { get; init; }                     // [head_dim] (Mamba-2: [d_inner])
}
