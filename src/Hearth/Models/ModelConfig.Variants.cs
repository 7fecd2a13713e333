using Hearth.Gguf;

namespace Hearth.Models;

/// <summary>How a mixture-of-experts router turns its logits into expert probabilities (llama.cpp's expert_gating_func).</summary>
internal enum ExpertGating
{
    Softmax = 1,
    Sigmoid = 2,

    /// <summary>Experts chosen on the raw logits; the chosen ones weighted by a softmax over their logits (gpt-oss).</summary>
    SoftmaxWeight = 3,
}

/// <summary>
/// Hyper-parameters beyond the Llama baseline, read from llama.cpp's generic GGUF keys (sliding window, soft-capping,
/// YaRN, latent attention, experts) and adjusted by the architecture's <see cref="ArchitectureTraits.Configure"/>.
/// Defaults leave the baseline unchanged.
/// </summary>
public sealed partial class ModelConfig
{
    /// <summary>Multiplier of the token embeddings (Gemma: sqrt(n_embd)); 1 = none.</summary>
    internal float EmbeddingScale { get; set; } = 1f;

    /// <summary>Factor applied to attention scores; by default 1/sqrt(head_dim).</summary>
    internal float AttentionScale { get; set; }

    /// <summary>tanh soft-cap of attention scores (Gemma 2), 0 = none.</summary>
    internal float AttnLogitSoftcap { get; set; }

    /// <summary>tanh soft-cap of the output logits (Gemma 2), 0 = none.</summary>
    internal float FinalLogitSoftcap { get; set; }

    /// <summary>Multiplier of each sub-layer's output before its residual add (Granite's <c>residual_scale</c>); 0 = none.</summary>
    internal float ResidualScale { get; set; }

    /// <summary>Divisor of the output logits (Granite's <c>logit_scale</c>: logits × 1/scale); 0 = none.</summary>
    internal float LogitScale { get; set; }

    /// <summary>Sliding-window size of the local layers (a token sees itself and the window - 1 before it); 0 = none.</summary>
    internal int SlidingWindow { get; set; }

    /// <summary>Which layers use the sliding window; null = none. // [n_layer]</summary>
    internal bool[]? SlidingLayers { get; set; }

    /// <summary>RoPE base and scale of the sliding-window layers (Gemma 3's local layers use 10000 and no scaling).</summary>
    internal float RopeFreqBaseSwa { get; set; }

    internal float RopeFreqScaleSwa { get; set; }

    /// <summary>YaRN and rope attention factor as llama.cpp derives them at context creation.</summary>
    internal RopeScaling Rope { get; set; } = RopeScaling.None;

    /// <summary>Multi-head latent attention (DeepSeek-V2/V3): ranks of the query and key/value compressions; 0 = none.</summary>
    internal int QLoraRank { get; set; }

    internal int KvLoraRank { get; set; }

    /// <summary>Per-head query/key width after decompression (no-rope + rope part) and value width.</summary>
    internal int MlaKeyDim { get; set; }

    internal int MlaValueDim { get; set; }

    internal bool IsLatentAttention => KvLoraRank > 0;

    internal int ExpertCount { get; set; }

    internal int ExpertUsedCount { get; set; }

    internal int ExpertSharedCount { get; set; }

    internal int ExpertFeedForwardLength { get; set; }

    /// <summary>The first blocks that have a dense feed-forward instead of experts.</summary>
    internal int LeadingDenseBlockCount { get; set; }

    /// <summary>Multiplier of the routing weights (1 = none).</summary>
    internal float ExpertWeightsScale { get; set; } = 1f;

    /// <summary>Whether the selected experts' weights are divided by their sum.</summary>
    internal bool ExpertWeightsNorm { get; set; }

    internal ExpertGating ExpertGating { get; set; } = ExpertGating.Softmax;

    /// <summary>Group-limited routing (DeepSeek-V3): experts in groups, only the best groups' experts compete; 0/1 = off.</summary>
    internal int ExpertGroupCount { get; set; }

    internal int ExpertGroupUsedCount { get; set; }

    /// <summary>kv heads per layer when they differ (Gemma 4's global layers have fewer); null = <see cref="HeadCountKv"/>.</summary>
    internal int[]? LayerHeadCountKv { get; set; }

    /// <summary>Feed-forward width per layer when stated per layer; null = <see cref="FeedForwardLength"/>.</summary>
    internal int[]? LayerFeedForwardLength { get; set; }

    /// <summary>Key / value head widths and rotated dimensions of the sliding-window layers (<c>*_swa</c> keys); 0 = as the others.</summary>
    internal int HeadDimSwa { get; set; }

    internal int ValueHeadDimSwa { get; set; }

    internal int RopeDimensionCountSwa { get; set; }

    /// <summary>
    /// Layers [0, KvLayerCount) store keys and values; each later one attends over the cache of the last earlier layer of
    /// its kind (the last global layer, or the one before it for sliding layers), as llama.cpp's Gemma 3n/4 reuse.
    /// </summary>
    internal int KvLayerCount { get; set; }

    /// <summary>Whether rope_freqs.weight also divides the frequencies of sliding-window layers (not in Gemma 4).</summary>
    internal bool RopeFactorsOnLocalLayers { get; set; } = true;

    /// <summary>Values are RMS-normed per head without a weight (Gemma 4); a layer without attn_v takes its keys' projection.</summary>
    internal bool ValueNorm { get; set; }

    /// <summary>Per-layer input embeddings' width (Gemma 4 E2B/E4B, <see cref="PerLayerEmbeddings"/>); 0 = none.</summary>
    internal int PerLayerEmbeddingLength { get; set; }

    /// <summary>Expert blocks keep a dense feed-forward beside the experts, each with its own norms, summed (Gemma 4).</summary>
    internal bool ExpertsBesideDense { get; set; }

    internal int KvHeadsOf(int layer) => LayerHeadCountKv?[layer] ?? HeadCountKv;

    internal int HeadDimOf(int layer) => IsSlidingLayer(layer) && HeadDimSwa > 0 ? HeadDimSwa : HeadDim;

    internal int ValueHeadDimOf(int layer) => IsSlidingLayer(layer) && ValueHeadDimSwa > 0 ? ValueHeadDimSwa : ValueHeadDim;

    internal int RopeDimsOf(int layer) => IsSlidingLayer(layer) && RopeDimensionCountSwa > 0 ? RopeDimensionCountSwa : RopeDimensionCount;

    internal int FeedForwardLengthOf(int layer) => LayerFeedForwardLength?[layer] ?? FeedForwardLength;

    internal bool HasOwnKv(int layer) => KvLayerCount <= 0 || layer < KvLayerCount;

    /// <summary>The layer whose cache <paramref name="layer"/> attends over (itself unless it shares).</summary>
    internal int KvSourceOf(int layer) => HasOwnKv(layer) ? layer : KvLayerCount - (IsSlidingLayer(layer) ? 2 : 1);

    /// <summary>Widest query head and value head over all layers.</summary>
    internal int MaxHeadDim => Math.Max(HeadDim, HeadDimSwa);

    internal int MaxValueHeadDim => Math.Max(ValueHeadDim, ValueHeadDimSwa);

    /// <summary>Widest per-token key / value rows over the layers (the q/k/v scratch sizes).</summary>
    internal int MaxKeyWidth
    {
        get
        {
            int w = 0;
            for (int l = 0; l < BlockCount; l++) w = Math.Max(w, KvHeadsOf(l) * HeadDimOf(l));
            return w;
        }
    }

    internal int MaxValueWidth
    {
        get
        {
            int w = 0;
            for (int l = 0; l < BlockCount; l++) w = Math.Max(w, KvHeadsOf(l) * ValueHeadDimOf(l));
            return w;
        }
    }

    /// <summary>Widest feed-forward of any block (dense, one expert, or the shared experts together).</summary>
    internal int MaxFeedForwardLength => Math.Max(Math.Max(FeedForwardLength, ExpertSharedFeedForwardLength), ExpertFeedForwardLength * Math.Max(1, ExpertSharedCount));

    /// <summary>F16 elements one position takes in a layer's key / value cache: the latent plus the rope key for latent
    /// attention (the value is the latent itself), else n_head_kv × head sizes.</summary>
    internal int CacheKeyWidth => IsLatentAttention ? KvLoraRank + RopeDimensionCount : HeadCountKv * HeadDim;

    internal int CacheValueWidth => IsLatentAttention ? 0 : HeadCountKv * ValueHeadDim;

    /// <summary>Per-layer cache widths (they differ when kv heads or head sizes do per layer).</summary>
    internal int CacheKeyWidthOf(int layer) => IsLatentAttention ? CacheKeyWidth : KvHeadsOf(layer) * HeadDimOf(layer);

    internal int CacheValueWidthOf(int layer) => IsLatentAttention ? 0 : KvHeadsOf(layer) * ValueHeadDimOf(layer);

    internal bool IsSlidingLayer(int layer) => SlidingLayers != null && SlidingLayers[layer];

    /// <summary>Layers whose queries and keys are not rotated (SmolLM3's every fourth); null = all rotate. // [n_layer]</summary>
    internal bool[]? NoRopeLayers { get; set; }

    internal bool UsesRope(int layer) => NoRopeLayers is null || !NoRopeLayers[layer];

    /// <summary>
    /// Llama 4-style attention temperature (Mistral 3): queries are multiplied by 1 + scale · ln(⌊pos / floor⌋ + 1)
    /// after RoPE; 0 = none.
    /// </summary>
    internal float AttnTemperatureScale { get; set; }

    /// <summary>Positions per temperature step (llama.cpp's n_attn_temp_floor_scale: the original YaRN context).</summary>
    internal int AttnTemperatureFloor { get; set; }

    /// <summary>The query multiplier of <see cref="AttnTemperatureScale"/> at position <paramref name="pos"/>.</summary>
    // In double like llama.cpp's graph input, then stored as float.
    internal float AttnTemperature(int pos) =>
        (float)(Math.Log(Math.Floor((float)pos / AttnTemperatureFloor) + 1.0) * AttnTemperatureScale + 1.0);

    private void ReadVariants(GgufFile file, ArchitectureTraits traits)
    {
        string a = Architecture;
        int Int(string key, int fallback) => ReadInt(file, $"{a}.{key}", fallback);
        float Float(string key, float fallback) => (float)(file.GetDouble($"{a}.{key}") ?? fallback);

        AttentionScale = 1f / MathF.Sqrt(HeadDim);
        AttnLogitSoftcap = Float("attn_logit_softcapping", 0);
        FinalLogitSoftcap = Float("final_logit_softcapping", 0);
        SlidingWindow = Int("attention.sliding_window", 0);
        RopeFreqBaseSwa = Float("rope.freq_base_swa", RopeFreqBase);
        RopeFreqScaleSwa = RopeFreqScale;
        HeadDimSwa = Int("attention.key_length_swa", HeadDim);
        ValueHeadDimSwa = Int("attention.value_length_swa", ValueHeadDim);
        RopeDimensionCountSwa = Int("rope.dimension_count_swa", RopeDimensionCount);
        KvLayerCount = BlockCount;

        QLoraRank = Int("attention.q_lora_rank", 0);
        KvLoraRank = Int("attention.kv_lora_rank", 0);
        ExpertCount = Int("expert_count", 0);
        ExpertUsedCount = Int("expert_used_count", 0);
        ExpertSharedCount = Int("expert_shared_count", 0);
        ExpertFeedForwardLength = Int("expert_feed_forward_length", 0);
        LeadingDenseBlockCount = Int("leading_dense_block_count", 0);
        // llama.cpp scales only when the key is non-zero; a missing key means no scaling.
        float weightsScale = Float("expert_weights_scale", 0);
        ExpertWeightsScale = weightsScale == 0 ? 1f : weightsScale;
        ExpertWeightsNorm = file.GetBool($"{a}.expert_weights_norm") ?? false;
        int gating = Int("expert_gating_func", 0);
        ExpertGating = gating switch
        {
            0 or 1 => ExpertGating.Softmax, // 0: not stated; DeepSeek-V2 files predate the key and use softmax
            2 => ExpertGating.Sigmoid,
            _ => throw new ModelConfigurationException($"Metadata '{a}.expert_gating_func' = {gating} is not supported (1 = softmax, 2 = sigmoid).", $"{a}.expert_gating_func"),
        };
        ExpertGroupCount = Int("expert_group_count", 0);
        ExpertGroupUsedCount = Int("expert_group_used_count", 0);

        traits.Configure?.Invoke(this, file);
        Rope = RopeScaling.Read(file, this, traits.ScaledYarnLogMultiplier);
        Validate();
    }

    private void Validate()
    {
        ValidateRecurrent();
        if (SlidingLayers != null && SlidingWindow <= 0) SlidingLayers = null;
        if (KvLayerCount < BlockCount)
        {
            if (KvLayerCount < 2)
                throw new ModelConfigurationException($"{BlockCount - KvLayerCount} of {BlockCount} layers share keys and values; at least two must keep their own.",
                    $"{Architecture}.attention.shared_kv_layers");
            for (int l = KvLayerCount; l < BlockCount; l++)
            {
                int src = KvSourceOf(l);
                if (IsSlidingLayer(src) != IsSlidingLayer(l) || KvHeadsOf(src) != KvHeadsOf(l))
                    throw new ModelConfigurationException($"Layer {l} would share the cache of layer {src}, which is of another kind (sliding window or kv heads differ).",
                        $"{Architecture}.attention.shared_kv_layers");
            }
        }
        if (AttnTemperatureScale != 0 && AttnTemperatureFloor <= 0)
            throw new ModelConfigurationException($"Attention temperature scaling needs a positive '{Architecture}.rope.scaling.original_context_length' (or context_length).");
        if (ExpertCount == 0)
        {
            // A dense model has no use for the expert keys; left set, a stray expert_feed_forward_length would size the
            // feed-forward buffers (2^31 − 2 wrapped them negative).
            ExpertUsedCount = ExpertSharedCount = ExpertFeedForwardLength = LeadingDenseBlockCount = 0;
            ExpertGroupCount = ExpertGroupUsedCount = 0;
        }
        else
        {
            if (ExpertUsedCount <= 0 || ExpertUsedCount > ExpertCount)
                throw new ModelConfigurationException($"expert_used_count {ExpertUsedCount} must be between 1 and expert_count {ExpertCount}.");
            if (ExpertFeedForwardLength <= 0)
                throw new ModelConfigurationException($"The model has {ExpertCount} experts but no positive '{Architecture}.expert_feed_forward_length'.");
            if (ExpertGroupCount > 1 && (ExpertCount % ExpertGroupCount != 0 || ExpertGroupUsedCount <= 0 || ExpertGroupUsedCount > ExpertGroupCount))
                throw new ModelConfigurationException($"expert_group_count {ExpertGroupCount} / expert_group_used_count {ExpertGroupUsedCount} do not fit expert_count {ExpertCount}.");
        }
        if (IsLatentAttention && (MlaKeyDim <= RopeDimensionCount || MlaValueDim <= 0))
            throw new ModelConfigurationException($"Latent attention needs a key width ({MlaKeyDim}) above rope.dimension_count ({RopeDimensionCount}) and a value width ({MlaValueDim}).");
    }
}
