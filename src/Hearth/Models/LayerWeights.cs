namespace Hearth.Models;

/// <summary>One transformer block's weights. Matrices are views over the file; norm and bias vectors are small float copies.</summary>
internal sealed class LayerWeights
{
    public required float[] AttnNorm { get; init; }        // [n_embd]

    public required WeightMatrix Wq { get; init; }          // [n_embd] -> [n_head * head_dim]

    public required WeightMatrix Wk { get; init; }          // [n_embd] -> [n_head_kv * head_dim]

    public required WeightMatrix Wv { get; init; }          // [n_embd] -> [n_head_kv * v_head_dim]

    public required WeightMatrix Wo { get; init; }          // [n_head * v_head_dim] -> [n_embd]

    public float[]? Bq { get; init; }                       // [n_head * head_dim]

    public float[]? Bk { get; init; }                       // [n_head_kv * head_dim]

    public float[]? Bv { get; init; }                       // [n_head_kv * v_head_dim]

    public float[]? QNorm { get; init; }                    // [head_dim]

    public float[]? KNorm { get; init; }                    // [head_dim]

    public required float[] FfnNorm { get; init; }          // [n_embd]

    public required WeightMatrix Gate { get; init; }        // [n_embd] -> [n_ff]

    public required WeightMatrix Up { get; init; }          // [n_embd] -> [n_ff]

    public required WeightMatrix Down { get; init; }        // [n_ff] -> [n_embd]
}
