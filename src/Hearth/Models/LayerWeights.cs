namespace Hearth.Models;

/// <summary>
/// One transformer block's weights. Matrices are views over the file; norm and bias vectors are small float copies.
/// A block has either standard attention (<see cref="Wq"/>, <see cref="Wk"/>, <see cref="Wv"/>), <see cref="Latent"/>
/// attention or a <see cref="Recurrent"/> mixer, and either a dense feed-forward (<see cref="Gate"/>, <see cref="Up"/>, <see cref="Down"/>) or
/// <see cref="Experts"/>.
/// </summary>
internal sealed class LayerWeights
{
    public required float[] AttnNorm { get; init; }        // [n_embd]

    public WeightMatrix? Wq { get; init; }                  // [n_embd] -> [n_head * head_dim]

    public WeightMatrix? Wk { get; init; }                  // [n_embd] -> [n_head_kv * head_dim]

    public WeightMatrix? Wv { get; init; }                  // [n_embd] -> [n_head_kv * v_head_dim]

    /// <summary>The attention output projection, or a recurrent layer's mixer output projection.</summary>
    public required WeightMatrix Wo { get; init; }          // [n_head * v_head_dim] -> [n_embd]

    public float[]? Bq { get; init; }                       // [n_head * head_dim]

    public float[]? Bk { get; init; }                       // [n_head_kv * head_dim]

    public float[]? Bv { get; init; }                       // [n_head_kv * v_head_dim]

    public float[]? Bo { get; init; }                       // [n_embd]

    /// <summary>Per-head sink logit that joins the attention softmax (gpt-oss).</summary>
    public float[]? Sinks { get; init; }                    // [n_head]

    public float[]? QNorm { get; init; }                    // [head_dim]

    public float[]? KNorm { get; init; }                    // [head_dim]

    public LatentAttentionWeights? Latent { get; init; }

    /// <summary>A hybrid model's recurrent token mixer in place of attention (no Wq/Wk/Wv then).</summary>
    public RecurrentLayerWeights? Recurrent { get; init; }

    /// <summary>Norm of the attention output before the residual add (Gemma 2/3).</summary>
    public float[]? AttnPostNorm { get; init; }             // [n_embd]

    public required float[] FfnNorm { get; init; }          // [n_embd]

    public WeightMatrix? Gate { get; init; }                // [n_embd] -> [n_ff]

    public WeightMatrix? Up { get; init; }                  // [n_embd] -> [n_ff]

    public WeightMatrix? Down { get; init; }                // [n_ff] -> [n_embd]

    public ExpertWeights? Experts { get; init; }

    /// <summary>Norm of the feed-forward output before the residual add (Gemma 2/3).</summary>
    public float[]? FfnPostNorm { get; init; }              // [n_embd]

    /// <summary>Per-layer input embedding block (Gemma 4 E2B/E4B): gate from the residual, projection back, its norm.</summary>
    public WeightMatrix? PerLayerGate { get; init; }        // [n_embd] -> [n_embd_per_layer]

    public WeightMatrix? PerLayerProjection { get; init; }  // [n_embd_per_layer] -> [n_embd]

    public float[]? PerLayerPostNorm { get; init; }         // [n_embd]

    /// <summary>Scalar the block's output is multiplied by (Gemma 4's layer_output_scale); 0 = none.</summary>
    public float OutputScale { get; init; }
}
