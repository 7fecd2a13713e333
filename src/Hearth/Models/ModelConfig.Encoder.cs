using Hearth.Gguf;

namespace Hearth.Models;

/// <summary>Hyper-parameters of encoder (embedding and reranking) models: BERT-family keys.</summary>
public sealed partial class ModelConfig
{
    /// <summary>Whether the architecture is a bidirectional encoder (no KV cache, no text generation).</summary>
    internal bool IsEncoder { get; set; }

    /// <summary>Epsilon of the LayerNorms (<c>attention.layer_norm_epsilon</c>).</summary>
    internal float LayerNormEps { get; set; } = 1e-12f;

    /// <summary>
    /// The pooling the file asks for (<c>pooling_type</c>). Encoders: <see cref="PoolingType.None"/> when it states none.
    /// Decoders: <see cref="PoolingType.Mean"/> unless the file states another (Qwen3-Embedding: last; Qwen3-Reranker: rank).
    /// </summary>
    internal PoolingType Pooling { get; set; }

    /// <summary>Outputs of the classification head (<c>classifier.output_labels</c>), 1 when the file lists none.</summary>
    internal int ClassifierOutputs { get; set; } = 1;

    /// <summary>The gated activation of ModernBERT's feed-forward (<c>hidden_activation</c>): GEGLU unless it says SiLU.</summary>
    internal FeedForwardActivation EncoderActivation { get; set; } = FeedForwardActivation.GeluTanh;

    /// <summary>Every block with (block % n == 1) has experts instead of a dense feed-forward (nomic-bert-moe); 0 = none.</summary>
    internal int MoeEveryNLayers { get; set; }

    /// <summary>Reads the encoder keys; called from an encoder architecture's Configure.</summary>
    internal void ReadEncoder(GgufFile file)
    {
        string a = Architecture;
        IsEncoder = true;
        LayerNormEps = (float)(file.GetDouble($"{a}.attention.layer_norm_epsilon") ?? 1e-12);
        ReadPooling(file);
        MoeEveryNLayers = (int)Math.Clamp(file.GetInt64($"{a}.moe_every_n_layers") ?? 0, 0, int.MaxValue);
        if (MoeEveryNLayers > 0 && BlockCount > 1 && (ExpertCount < 1 || ExpertUsedCount < 1 || ExpertUsedCount > ExpertCount))
        {
            throw new ModelConfigurationException(
                $"'{a}.moe_every_n_layers' = {MoeEveryNLayers} asks for expert blocks, but expert_count = {ExpertCount} and expert_used_count = {ExpertUsedCount} do not describe experts (1 ≤ used ≤ count).", $"{a}.expert_count");
        }
        // nomic-bert-moe's experts are feed_forward_length wide (llama.cpp reads no expert width for it).
        if (MoeEveryNLayers > 0 && ExpertFeedForwardLength == 0) ExpertFeedForwardLength = FeedForwardLength;
    }

    /// <summary>
    /// ModernBERT's keys beyond the encoder ones: a symmetric sliding window on every layer but each
    /// <c>sliding_window_pattern</c>-th (default 3; layer 0 is global), those layers' rope base, the feed-forward
    /// activation.
    /// </summary>
    internal void ReadModernBert(GgufFile file)
    {
        string a = Architecture;
        ReadEncoder(file);
        if (SlidingWindow > 0)
        {
            long period = file.GetInt64($"{a}.attention.sliding_window_pattern") ?? 3;
            if (period < 0) throw new ModelConfigurationException($"Metadata '{a}.attention.sliding_window_pattern' = {period} is negative.", $"{a}.attention.sliding_window_pattern");
            SlidingLayers = new bool[BlockCount];
            for (int l = 0; l < BlockCount; l++) SlidingLayers[l] = period == 0 || l % period != 0;
        }
        else
        {
            SlidingLayers = null;
        }
        EncoderActivation = file.GetString($"{a}.hidden_activation") switch
        {
            null or "gelu" or "geglu" => FeedForwardActivation.GeluTanh,
            "silu" or "swish" or "swiglu" => FeedForwardActivation.Silu,
            var other => throw new NotSupportedException($"ModernBERT feed-forward activation '{other}' is not supported (gelu/geglu, silu/swish/swiglu are)."),
        };
    }

    /// <summary>
    /// The pooling keys of a decoder used for embeddings (Qwen3-Embedding's last-token pooling) or reranking
    /// (Qwen3-Reranker's rank pooling over a yes/no head); a chat model states none and is mean-pooled.
    /// </summary>
    internal void ReadDecoderPooling(GgufFile file)
    {
        ReadPooling(file);
        if (Pooling == PoolingType.None) Pooling = PoolingType.Mean;
    }

    private void ReadPooling(GgufFile file)
    {
        string a = Architecture;
        long pooling = file.GetInt64($"{a}.pooling_type") ?? 0;
        Pooling = pooling switch
        {
            >= 0 and <= 4 => (PoolingType)pooling,
            _ => throw new NotSupportedException($"Metadata '{a}.pooling_type' = {pooling} is not a pooling type Hearth knows (0 none, 1 mean, 2 cls, 3 last, 4 rank)."),
        };
        if (file.GetValueOrNull($"{a}.classifier.output_labels") is { IsArray: true } labels) ClassifierOutputs = Math.Max(1, labels.ArrayLength);
    }
}
