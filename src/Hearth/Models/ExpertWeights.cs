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

    /// <summary>Qwen3.5-MoE: the shared expert's output is scaled by sigmoid(this · x) (ffn_gate_inp_shexp).</summary>
    public float[]? SharedExpertGate { get; init; }         // [n_embd]
}
