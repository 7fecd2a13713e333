namespace Hearth.Models;

/// <summary>
/// A mixture-of-experts feed-forward: the router, each expert's SwiGLU matrices as views into the 3-D expert tensors
/// (only the selected experts' rows are ever read), and optional shared experts that every token goes through.
/// </summary>
internal sealed class ExpertWeights
{
    public required WeightMatrix Router { get; init; }      // [n_embd] -> [n_expert]

    public float[]? RouterBias { get; init; }               // [n_expert]

    /// <summary>Selection bias added to the router probabilities for choosing experts only (DeepSeek-V3's exp_probs_b).</summary>
    public float[]? SelectionBias { get; init; }            // [n_expert]

    public required WeightMatrix[] Gate { get; init; }      // per expert: [n_embd] -> [n_ff_exp]

    public required WeightMatrix[] Up { get; init; }        // per expert: [n_embd] -> [n_ff_exp]

    public required WeightMatrix[] Down { get; init; }      // per expert: [n_ff_exp] -> [n_embd]

    /// <summary>Per-expert biases of the gate, up and down projections (gpt-oss), or null.</summary>
    public float[][]? GateBias { get; init; }               // per expert: [n_ff_exp]

    public float[][]? UpBias { get; init; }                 // per expert: [n_ff_exp]

    public float[][]? DownBias { get; init; }               // per expert: [n_embd]

    public WeightMatrix? SharedGate { get; init; }          // [n_embd] -> [n_ff_exp * n_shared]

    public WeightMatrix? SharedUp { get; init; }            // [n_embd] -> [n_ff_exp * n_shared]

    public WeightMatrix? SharedDown { get; init; }          // [n_ff_exp * n_shared] -> [n_embd]

    /// <summary>Per-expert output multiplier (<c>ffn_down_exps.scale</c>, Gemma 4's per-expert scale).</summary>
    public float[]? DownScale { get; init; }                // [n_expert]

    // Gemma 4, experts beside a dense feed-forward: the router reads rms_norm(residual) / sqrt(n_embd) · gate_inp.scale
    // (folded into one weight here), the experts read pre_ffw_norm_2(residual); post_ffw_norm_1 / _2 norm the dense and
    // expert outputs before they are summed.
    public float[]? RouterNorm { get; init; }               // [n_embd] gate_inp.scale / sqrt(n_embd)

    public float[]? PreNorm { get; init; }                  // [n_embd]

    public float[]? PostNorm { get; init; }                 // [n_embd]

    public float[]? DensePostNorm { get; init; }            // [n_embd]
    /// <summary>Qwen3.5-MoE: the shared expert's output is scaled by sigmoid(this · x) (ffn_gate_inp_shexp).</summary>
    public float[]? SharedExpertGate { get; init; }         // [n_embd]
}
