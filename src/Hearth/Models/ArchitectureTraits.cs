using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>The gated activation of the feed-forward: act(gate) · up.</summary>
internal enum FeedForwardActivation
{
    /// <summary>SwiGLU: silu(gate) · up.</summary>
    Silu,

    /// <summary>GeGLU with the tanh approximation of GELU, as ggml computes it (Gemma).</summary>
    GeluTanh,

    /// <summary>
    /// gpt-oss's clamped SwiGLU (ggml's swiglu_oai, alpha 1.702, limit 7): x = min(gate, 7), y = clamp(up, −7, 7),
    /// act = x · sigmoid(1.702 x) · (y + 1).
    /// </summary>
    SwigluOai,
}

/// <summary>
/// What distinguishes one decoder-only architecture from the Llama baseline. Each architecture file returns one of these;
/// the shared transformer reads it instead of branching on architecture names.
/// </summary>
internal sealed record ArchitectureTraits
{
    /// <summary>The <c>general.architecture</c> value.</summary>
    public required string Name { get; init; }

    public RopeStyle RopeStyle { get; init; } = RopeStyle.Normal;

    /// <summary>Whether q/k/v projections carry biases (<c>attn_q.bias</c>, ...). Loaded when present either way.</summary>
    public bool QkvBias { get; init; }

    /// <summary>Per-head RMS norms on queries and keys before RoPE (<c>attn_q_norm</c>, <c>attn_k_norm</c>).</summary>
    public bool QkNorm { get; init; }

    public FeedForwardActivation Activation { get; init; } = FeedForwardActivation.Silu;

    /// <summary>
    /// Queries are multiplied by the attention scale before the scores (Phi-3, Gemma) rather than the scores after, so the
    /// scale is inside llama.cpp's F16 rounding of the queries as there.
    /// </summary>
    public bool ScaleQueries { get; init; }

    /// <summary>Norms on the attention and feed-forward outputs before their residual adds (Gemma 2/3).</summary>
    public bool PostNorms { get; init; }

    /// <summary>The stored YaRN log multiplier is 0.1 × mscale_all_dims (DeepSeek-V2 converter) and scales the attention.</summary>
    public bool ScaledYarnLogMultiplier { get; init; }

    /// <summary>
    /// Name of the feed-forward input norm (<c>blk.N.&lt;name&gt;.weight</c>): gpt-oss and Qwen3.5 store it as post_attention_norm,
    /// which then is not also an attention post-norm.
    /// </summary>
    public string FfnNormTensor { get; init; } = "ffn_norm";

    /// <summary>A learned logit per head (<c>attn_sinks</c>) joins every attention softmax and takes its share (gpt-oss).</summary>
    public bool AttentionSinks { get; init; }

    /// <summary>The final norm's tensor: LFM2 files name it token_embd_norm.</summary>
    public string OutputNormName { get; init; } = "output_norm";

    /// <summary>Architecture-specific hyper-parameters and defaults, applied after the generic keys are read.</summary>
    public Action<ModelConfig, GgufFile>? Configure { get; init; }

    /// <summary>
    /// Rank pooling (rerankers) reads the last token and turns the classification head's outputs into probabilities with a
    /// softmax (Qwen3-Reranker: the head is the "yes" and "no" rows of the LM head, the score P(yes)); otherwise it reads
    /// the first token and keeps the raw outputs, as llama.cpp does.
    /// </summary>
    public bool LastTokenRank { get; init; }

    /// <summary>For encoder (embedding / reranking) architectures: builds the <see cref="Models.Encoder"/> that replaces the
    /// decoder transformer. Null for decoders.</summary>
    public Func<GgufFile, ModelConfig, Encoder>? CreateEncoder { get; init; }
}
