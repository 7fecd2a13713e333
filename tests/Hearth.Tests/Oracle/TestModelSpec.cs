using Hearth.Numerics;

namespace Hearth.Tests.Oracle;

/// <summary>
/// Shape and storage of a random-weight model written by <see cref="TestModelFactory"/>.
/// </summary>
/// <param name="Name">Case name, also the file name stem.</param>
/// <param name="Architecture">llama, qwen2 (q/k/v biases) or qwen3 (per-head q/k RMS norms).</param>
/// <param name="WeightType">Type of every 2D matrix (token_embd, output, attention and FFN); norms and biases stay F32.
/// Row lengths (n_embd, n_ff, n_head * head_dim) must be multiples of the type's block size: 32, or 256 for K-quants.</param>
/// <param name="HeadDim">0 = n_embd / n_head; otherwise written as attention.key_length/value_length.</param>
/// <param name="TiedOutput">No output.weight: llama.cpp and Hearth reuse token_embd.</param>
internal sealed record TestModelSpec(
    string Name,
    string Architecture,
    GgmlType WeightType,
    int EmbeddingLength = 128,
    int BlockCount = 2,
    int FeedForwardLength = 192,
    int HeadCount = 4,
    int HeadCountKv = 2,
    int HeadDim = 0,
    int VocabSize = 333,
    bool TiedOutput = false,
    int Seed = 1,
    float RopeFreqBase = 10000f,
    float RmsNormEps = 1e-5f,
    int ContextLength = 512)
{
    public int EffectiveHeadDim => HeadDim > 0 ? HeadDim : EmbeddingLength / HeadCount;

    public override string ToString() => Name;
}
