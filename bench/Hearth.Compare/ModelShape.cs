namespace Hearth.Compare;

/// <summary>The shape of a model to synthesise (llama architecture keys).</summary>
internal sealed record ModelShape(string Name, string Architecture, int Embedding, int Layers, int Heads, int KvHeads, int FeedForward, int Vocab)
{
    /// <summary>TinyLlama-1.1B: dim 2048, 22 layers, 32 heads, 4 kv heads, ffn 5632, vocab 32000.</summary>
    public static readonly ModelShape TinyLlama = new("tinyllama-1.1b", "llama", 2048, 22, 32, 4, 5632, 32000);

    /// <summary>Qwen2.5-0.5B: dim 896, 24 layers, 14 heads, 2 kv heads, ffn 4864, vocab 151936 (q/k/v biases).</summary>
    public static readonly ModelShape Qwen05 = new("qwen2.5-0.5b", "qwen2", 896, 24, 14, 2, 4864, 151936);

    /// <summary>
    /// DeepSeek-V2-Lite with 8 of its 27 blocks (the first dense, 7 MoE), so the Q4_0 file is ~2.6 GB instead of ~8.8:
    /// dim 2048, 16 heads, latent attention (plain attn_q, kv_lora_rank 512, 128 no-rope + 64 rope key dims, value 128),
    /// 64 routed experts of ffn 1408 with 6 used and 2 shared, dense ffn 10944, vocab 102400, softmax routing, YaRN ×40.
    /// The expert and attention shapes, and so the bytes read per token per block, are the real model's.
    /// </summary>
    public static readonly ModelShape DeepSeekV2Lite = new("deepseek-v2-lite-8-blocks", "deepseek2", 2048, 8, 16, 16, 10944, 102400);

    /// <summary>
    /// Qwen3-30B-A3B with 8 of its 48 blocks, so the Q4_K file is ~3 GB instead of ~17: dim 2048, 32 query heads of 128
    /// (q width 4096) over 4 kv heads, q/k norms, 128 experts of ffn 768 with 8 used (no shared expert), vocab 151936,
    /// rope base 1e6. Every matrix in the requested type (Q4_K: Q4_K_S-like, where real Q4_K_M files keep some in Q6_K).
    /// The expert and attention shapes, and so the bytes read per token per block, are the real model's.
    /// </summary>
    public static readonly ModelShape Qwen3MoeA3B = new("qwen3-30b-a3b-8-blocks", "qwen3moe", 2048, 8, 32, 4, 6144, 151936);

    /// <summary>
    /// gpt-oss-20b with 4 of its 24 blocks (two sliding-window, two full), so the file is ~3 GB instead of ~12: dim 2880,
    /// 64 query heads and 8 kv heads of 64, attention sinks, window 128, 32 experts of ffn 2880 with 4 used (softmax over
    /// the chosen logits, clamped SwiGLU, biases everywhere), vocab 201088, YaRN ×32 over 4096, base 150000. With
    /// <c>--type MXFP4</c> the experts are MXFP4 and the other matrices Q8_0, as in the released GGUF files
    /// (llama-quantize's MXFP4_MOE). The expert and attention shapes, and so the bytes read per token per block, are
    /// the real model's.
    /// </summary>
    public static readonly ModelShape GptOss20B = new("gpt-oss-20b-4-blocks", "gpt-oss", 2880, 4, 64, 8, 2880, 201088);

    public static ModelShape Parse(string name) => name switch
    {
        "qwen3moe" or "qwen3-30b-a3b" => Qwen3MoeA3B,
        "gptoss" or "gpt-oss-20b" => GptOss20B,
        "tinyllama" or "tinyllama-1.1b" => TinyLlama,
        "qwen05" or "qwen2.5-0.5b" => Qwen05,
        "deepseek-v2-lite" or "dsv2lite" => DeepSeekV2Lite,
        _ => throw new ArgumentException($"Unknown shape '{name}'; known: tinyllama, qwen05, deepseek-v2-lite, qwen3moe, gpt-oss-20b."),
    };
}
