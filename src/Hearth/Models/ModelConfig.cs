using Hearth.Gguf;

namespace Hearth.Models;

/// <summary>Hyper-parameters of a decoder-only transformer, read from <c>&lt;arch&gt;.*</c> GGUF metadata.</summary>
public sealed partial class ModelConfig
{
    /// <summary>Built from a file's metadata only (<see cref="Model.Config"/>); not constructible outside the library.</summary>
    internal ModelConfig()
    {
    }

    /// <summary>The GGUF <c>general.architecture</c> (llama, qwen2, ...).</summary>
    public required string Architecture { get; init; }

    /// <summary>The GGUF <c>general.name</c>, if any.</summary>
    public string? Name { get; init; }

    /// <summary>n_embd: width of the residual stream.</summary>
    public required int EmbeddingLength { get; init; }

    /// <summary>Transformer layers (n_layer).</summary>
    public required int BlockCount { get; init; }

    /// <summary>Feed-forward hidden size (n_ff).</summary>
    public required int FeedForwardLength { get; init; }

    /// <summary>Attention query heads (n_head).</summary>
    public required int HeadCount { get; init; }

    /// <summary>Key/value heads (n_head_kv; fewer than n_head for grouped-query attention).</summary>
    public required int HeadCountKv { get; init; }

    /// <summary>Dimension of each query/key head (<c>attention.key_length</c>, default n_embd / n_head).</summary>
    public required int HeadDim { get; init; }

    /// <summary>Dimension of each value head (<c>attention.value_length</c>, default <see cref="HeadDim"/>).</summary>
    public required int ValueHeadDim { get; init; }

    /// <summary>Epsilon of the RMS norms.</summary>
    public required float RmsNormEps { get; init; }

    /// <summary>RoPE frequency base (theta).</summary>
    public required float RopeFreqBase { get; init; }

    /// <summary>1 / rope.scaling.factor for linear scaling, else 1.</summary>
    public required float RopeFreqScale { get; init; }

    /// <summary>Number of rotated dimensions per head (<c>rope.dimension_count</c>, default the head dimension).</summary>
    public required int RopeDimensionCount { get; init; }

    /// <summary>Context length the model was trained with.</summary>
    public required int ContextLength { get; init; }

    /// <summary>Tokens in the vocabulary (rows of the embedding).</summary>
    public required int VocabSize { get; init; }

    /// <summary>
    /// Reads a GGUF model's hyper-parameters as <see cref="Model.Load"/> does, without loading its weights (what
    /// <c>hearth info</c> shows); the vocabulary size is the embedding's rows.
    /// </summary>
    /// <param name="file">An open GGUF file.</param>
    /// <exception cref="ModelConfigurationException">A required key or the embedding tensor is missing or out of range.</exception>
    /// <exception cref="NotSupportedException">The architecture is not one Hearth runs.</exception>
    public static ModelConfig Read(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        string arch = file.GetString("general.architecture") ?? throw new ModelConfigurationException(
            "The model is missing the required metadata key 'general.architecture'.", "general.architecture");
        var embd = file.FindTensor("token_embd.weight") ?? throw new ModelConfigurationException(
            "The model has no 'token_embd.weight' tensor.", "token_embd.weight");
        if (embd.Rows is <= 0 or > int.MaxValue) throw new ModelConfigurationException($"'token_embd.weight' has {embd.Rows} rows.", "token_embd.weight");
        return FromGguf(file, arch, (int)embd.Rows);
    }

    internal static ModelConfig FromGguf(GgufFile file, string arch, int vocabSize)
    {
        long Required(string key) => file.GetInt64($"{arch}.{key}") ?? throw new ModelConfigurationException(
            $"The model is missing the required metadata key '{arch}.{key}'.", $"{arch}.{key}");
        int Positive(string key, long v) => v is > 0 and <= int.MaxValue ? (int)v : throw new ModelConfigurationException(
            $"Metadata '{arch}.{key}' = {v} is out of range (1 to {int.MaxValue}).", $"{arch}.{key}");

        int nEmbd = Positive("embedding_length", Required("embedding_length"));
        int nHead = Positive("attention.head_count", Required("attention.head_count"));
        int blocks = Positive("block_count", Required("block_count"));
        // Hybrid models (LFM2) state head_count_kv per layer, 0 on their recurrent layers; attention layers share the largest.
        // Gemma 4 states kv heads (and feed-forward widths) per layer that differ between attention layers.
        long kvHeads = MaxPerLayer(file, $"{arch}.attention.head_count_kv") ?? nHead;
        int nHeadKv = Positive("attention.head_count_kv", kvHeads == 0 ? nHead : kvHeads);
        int[]? layerKv = LayerArray(file, $"{arch}.attention.head_count_kv", blocks);
        if (layerKv != null && layerKv.Where(k => k > 0).Distinct().Count() <= 1) layerKv = null;
        int[]? layerFf = LayerArray(file, $"{arch}.feed_forward_length", blocks);
        foreach (int kv in layerKv ?? [nHeadKv])
        {
            if (kv > 0 && nHead % kv == 0) continue;
            throw new ModelConfigurationException(
                $"Metadata '{arch}.attention.head_count' = {nHead} is not a multiple of '{arch}.attention.head_count_kv' = {kv}.", $"{arch}.attention.head_count_kv");
        }
        int headDim = Positive("attention.key_length", file.GetInt64($"{arch}.attention.key_length") ?? (nEmbd / nHead));
        int valueDim = Positive("attention.value_length", file.GetInt64($"{arch}.attention.value_length") ?? headDim);
        float scale = 1.0f;
        string? scalingType = file.GetString($"{arch}.rope.scaling.type");
        double? factor = file.GetDouble($"{arch}.rope.scaling.factor");
        // llama.cpp scales positions by 1/factor for every scaling type but none; YaRN adds its ramp on top (RopeScaling).
        if (factor is > 0 && scalingType is null or "linear" or "yarn") scale = (float)(1.0 / factor.Value);
        // Older files state linear scaling as rope.scale_linear.
        double? linear = file.GetDouble($"{arch}.rope.scale_linear");
        if (linear is > 0) scale = (float)(1.0 / linear.Value);
        var config = new ModelConfig
        {
            Architecture = arch,
            Name = file.GetString("general.name"),
            EmbeddingLength = nEmbd,
            BlockCount = blocks,
            // Mixture-of-experts files may state only the expert width (gpt-oss converters write both).
            FeedForwardLength = layerFf?.Max() ?? Positive("feed_forward_length", file.GetInt64($"{arch}.feed_forward_length")
                ?? file.GetInt64($"{arch}.expert_feed_forward_length") ?? Required("feed_forward_length")),
            HeadCount = nHead,
            HeadCountKv = nHeadKv,
            HeadDim = headDim,
            ValueHeadDim = valueDim,
            RmsNormEps = (float)(file.GetDouble($"{arch}.attention.layer_norm_rms_epsilon") ?? 1e-5),
            RopeFreqBase = (float)(file.GetDouble($"{arch}.rope.freq_base") ?? 10000.0),
            RopeFreqScale = scale,
            RopeDimensionCount = Positive("rope.dimension_count", file.GetInt64($"{arch}.rope.dimension_count") ?? headDim),
            ContextLength = Positive("context_length", file.GetInt64($"{arch}.context_length") ?? 2048),
            VocabSize = vocabSize,
        };
        // Before the architecture's Configure, which may allocate per-layer tables: block_count must be the blocks present.
        ModelValidator.CheckBlocks(file, config);
        config.LayerHeadCountKv = layerKv;
        config.LayerFeedForwardLength = layerFf;
        config.ReadVariants(file, Architectures.Get(arch));
        if (!config.IsEncoder) config.ReadDecoderPooling(file);
        return config;
    }

    /// <summary>An integer key given as one value per layer (null when it is a single value or absent).</summary>
    internal static int[]? LayerArray(GgufFile file, string key, int blocks)
    {
        var v = file.GetValueOrNull(key);
        if (v?.Value is not System.Array a) return null;
        if (a.Length != blocks) throw new ModelConfigurationException($"Metadata '{key}' has {a.Length} entries; the model has {blocks} blocks.", key);
        var result = new int[blocks];
        for (int i = 0; i < blocks; i++)
        {
            long x = LayerValue(a.GetValue(i), key);
            result[i] = x is >= 0 and <= int.MaxValue ? (int)x : throw new ModelConfigurationException($"Metadata '{key}'[{i}] = {x} is out of range.", key);
        }
        return result;
    }

    /// <summary>
    /// An integer hyper-parameter <paramref name="key"/> in [<paramref name="min"/>, int.MaxValue], or
    /// <paramref name="fallback"/> when absent; anything else (another type, a value out of range) is a
    /// <see cref="ModelConfigurationException"/> naming the key. For architectures' <see cref="ArchitectureTraits.Configure"/>.
    /// </summary>
    internal static int ReadInt(GgufFile file, string key, int fallback, int min = 0)
    {
        long? v = file.GetInt64(key);
        if (v is null) return fallback;
        return v >= min && v <= int.MaxValue ? (int)v : throw new ModelConfigurationException(
            $"Metadata '{key}' = {v} is out of range ({min} to {int.MaxValue}).", key);
    }
}
