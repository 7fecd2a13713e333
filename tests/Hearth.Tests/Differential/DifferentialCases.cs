using Hearth.Numerics;
using Hearth.Tests.Oracle;

namespace Hearth.Tests.Differential;

/// <summary>The random-weight models Hearth is compared with llama.cpp on: every architecture × weight type, plus odd shapes.</summary>
internal static class DifferentialCases
{
    public static readonly GgmlType[] BlockTypes = [GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0];
    public static readonly GgmlType[] KQuantTypes = [GgmlType.Q4_K, GgmlType.Q6_K];

    /// <summary>The IQ and ternary types (issue 16): IQ4_NL has 32-element blocks, the rest 256.</summary>
    public static readonly GgmlType[] IQuantTypes =
    [
        GgmlType.IQ4_NL, GgmlType.IQ4_XS, GgmlType.IQ3_XXS, GgmlType.IQ3_S, GgmlType.IQ2_XXS, GgmlType.IQ2_XS,
        GgmlType.IQ2_S, GgmlType.IQ1_S, GgmlType.IQ1_M, GgmlType.TQ1_0, GgmlType.TQ2_0,
    ];

    public static IReadOnlyDictionary<string, TestModelSpec> All { get; } = Build().ToDictionary(s => s.Name);

    private static IEnumerable<TestModelSpec> Build()
    {
        int seed = 100;
        foreach (var t in BlockTypes)
        {
            // n_embd 128, n_ff 192: multiples of 32 for Q8_0/Q4_0. Vocabularies not multiples of 32.
            yield return new($"llama-{t}", "llama", t, VocabSize: 333, Seed: seed++);
            // qwen2-F32 ties the output to the embeddings, as the small Qwen2.5 models do.
            yield return new($"qwen2-{t}", "qwen2", t, VocabSize: 301, TiedOutput: t == GgmlType.F32, Seed: seed++);
            // qwen3 with head_dim 48 ≠ n_embd / n_head (attention.key_length), as real Qwen3 models have.
            yield return new($"qwen3-{t}", "qwen3", t, HeadDim: 48, VocabSize: 420, Seed: seed++);
        }
        foreach (var t in KQuantTypes)
        {
            // K-quants pack 256 values per block: n_embd, n_ff and n_head*head_dim are 256.
            yield return new($"llama-{t}", "llama", t, EmbeddingLength: 256, FeedForwardLength: 256, VocabSize: 300, Seed: seed++);
            yield return new($"qwen2-{t}", "qwen2", t, EmbeddingLength: 256, FeedForwardLength: 256, VocabSize: 317,
                TiedOutput: t == GgmlType.Q6_K, Seed: seed++);
            yield return new($"qwen3-{t}", "qwen3", t, EmbeddingLength: 256, FeedForwardLength: 256, HeadDim: 64, VocabSize: 299, Seed: seed++);
        }
        // The odd shape issue 2 asks for: 6 heads, 3 KV heads, head dim 96 (n_embd 576), vocabulary 299.
        yield return Odd("llama", GgmlType.F32, seed++);
        yield return Odd("llama", GgmlType.Q8_0, seed++);
        yield return Odd("qwen3", GgmlType.F16, seed++);
        yield return Odd("qwen2", GgmlType.Q4_0, seed++);
        foreach (var t in IQuantTypes)
        {
            // qwen3 (q/k norms, head_dim 64 of n_embd 256); the grid types' weights are random blocks (no quantizer).
            yield return t == GgmlType.IQ4_NL
                ? new($"qwen3-{t}", "qwen3", t, HeadDim: 48, VocabSize: 420, Seed: seed++)
                : new($"qwen3-{t}", "qwen3", t, EmbeddingLength: 256, FeedForwardLength: 256, HeadDim: 64, VocabSize: 299, Seed: seed++);
        }
    }

    private static TestModelSpec Odd(string arch, GgmlType type, int seed) =>
        new($"{arch}-{type}-6h3kv96", arch, type, EmbeddingLength: 576, FeedForwardLength: 128,
            HeadCount: 6, HeadCountKv: 3, HeadDim: arch == "qwen3" ? 96 : 0, VocabSize: 299, Seed: seed);
}
