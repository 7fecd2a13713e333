namespace Hearth.Compare;

/// <summary>The shape of a model to synthesise (llama architecture keys).</summary>
internal sealed record ModelShape(string Name, string Architecture, int Embedding, int Layers, int Heads, int KvHeads, int FeedForward, int Vocab)
{
    /// <summary>TinyLlama-1.1B: dim 2048, 22 layers, 32 heads, 4 kv heads, ffn 5632, vocab 32000.</summary>
    public static readonly ModelShape TinyLlama = new("tinyllama-1.1b", "llama", 2048, 22, 32, 4, 5632, 32000);

    /// <summary>Qwen2.5-0.5B: dim 896, 24 layers, 14 heads, 2 kv heads, ffn 4864, vocab 151936 (q/k/v biases).</summary>
    public static readonly ModelShape Qwen05 = new("qwen2.5-0.5b", "qwen2", 896, 24, 14, 2, 4864, 151936);

    public static ModelShape Parse(string name) => name switch
    {
        "tinyllama" or "tinyllama-1.1b" => TinyLlama,
        "qwen05" or "qwen2.5-0.5b" => Qwen05,
        _ => throw new ArgumentException($"Unknown shape '{name}'; known: tinyllama, qwen05."),
    };
}
