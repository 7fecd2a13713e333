using System.Globalization;
using Hearth.Gguf;
using Hearth.Inference;
using Hearth.Tokenization;

namespace Hearth.Models;

/// <summary>
/// Whole-model checks run by <see cref="Model.Load"/> before anything large is allocated, so that a malformed file fails
/// at load with a <see cref="ModelConfigurationException"/> (or a <see cref="ModelMemoryException"/>) naming the problem,
/// never later at the first generation and never with a runtime-generic exception. Architectures need no code here:
/// their hyper-parameters are covered by <see cref="ModelConfig"/>'s reading and by the shape checks of
/// <see cref="TransformerWeights"/>, which compare 64-bit products of the hyper-parameters with the tensors' real shapes.
/// The order: <see cref="VocabularyRows"/> (embedding), <see cref="CheckHyperParameters"/> and <see cref="CheckBlocks"/>
/// (after the config, before the layer array), <see cref="CheckSessionMemory"/>, then the weights, then
/// <see cref="CheckTokenizer"/>.
/// </summary>
internal static class ModelValidator
{
    /// <summary>Rows of the token embedding (the vocabulary size the model computes logits for), checked to be usable.</summary>
    public static int VocabularyRows(GgufTensorInfo embd)
    {
        var d = embd.Dimensions;
        if (d.Count < 2 || d[0] <= 0 || embd.Rows <= 0 || embd.Rows > Array.MaxLength || (d.Count > 2 && embd.Rows != d[1]))
        {
            throw new ModelConfigurationException(
                $"Tensor 'token_embd.weight' has shape [{Shape(embd)}]; expected [n_embd, n_vocab] with both positive and n_vocab at most {Array.MaxLength}.",
                embd.Name);
        }
        return (int)embd.Rows;
    }

    /// <summary>Products and relations of the hyper-parameters, in 64-bit arithmetic, before any tensor is read.</summary>
    public static void CheckHyperParameters(ModelConfig c)
    {
        string a = c.Architecture;
        Finite($"{a}.attention.layer_norm_rms_epsilon", c.RmsNormEps, min: 0);
        Finite($"{a}.rope.freq_base", c.RopeFreqBase, min: float.Epsilon);
        Finite($"{a}.rope.freq_base_swa", c.RopeFreqBaseSwa, min: float.Epsilon);
        Finite($"{a}.rope.scaling.factor", c.RopeFreqScale, min: float.Epsilon);
        Finite($"{a}.rope.scaling.factor", c.RopeFreqScaleSwa, min: float.Epsilon);
        Finite($"{a}.rope.scaling.attn_factor", c.Rope.AttnFactor, min: float.MinValue);
        Finite($"{a}.rope.scaling.yarn_ext_factor", c.Rope.ExtFactor, min: float.MinValue);
        Finite($"{a}.rope.scaling.yarn_beta_fast", c.Rope.BetaFast, min: float.MinValue);
        Finite($"{a}.rope.scaling.yarn_beta_slow", c.Rope.BetaSlow, min: float.MinValue);
        Finite($"{a}.attn_logit_softcapping", c.AttnLogitSoftcap, min: 0);
        Finite($"{a}.final_logit_softcapping", c.FinalLogitSoftcap, min: 0);
        Finite($"{a}.expert_weights_scale", c.ExpertWeightsScale, min: float.MinValue);
        Finite("the attention scale", c.AttentionScale, min: float.MinValue);
        Finite($"{a}.embedding_scale", c.EmbeddingScale, min: float.MinValue);
        Finite($"{a}.residual_scale", c.ResidualScale, min: float.MinValue);
        Finite($"{a}.logit_scale", c.LogitScale, min: float.MinValue);
        Width($"{a}.attention.head_count × {a}.attention.key_length", (long)c.HeadCount * c.HeadDim);
        Width($"{a}.attention.head_count_kv × {a}.attention.key_length", (long)c.HeadCountKv * c.HeadDim);
        Width($"{a}.attention.head_count_kv × {a}.attention.value_length", (long)c.HeadCountKv * c.ValueHeadDim);
        Width($"{a}.attention.head_count × {a}.attention.value_length", (long)c.HeadCount * c.ValueHeadDim);
        Width("the fused q/k/v width", (long)c.HeadCount * c.HeadDim + 2L * c.HeadCountKv * Math.Max(c.HeadDim, c.ValueHeadDim));
        Width($"2 × {a}.feed_forward_length", 2L * c.FeedForwardLength);
        if (c.IsLatentAttention)
        {
            Width($"{a}.attention.head_count × the latent key width", (long)c.HeadCount * c.MlaKeyDim);
            Width($"{a}.attention.head_count × (kv_lora_rank + rope)", (long)c.HeadCount * ((long)c.KvLoraRank + c.RopeDimensionCount));
            Width($"{a}.attention.head_count × (latent key + value width)", (long)c.HeadCount * ((long)c.MlaKeyDim + c.MlaValueDim));
            if (c.RopeDimensionCount % 2 != 0)
                throw Bad($"{a}.rope.dimension_count", $"Metadata '{a}.rope.dimension_count' = {c.RopeDimensionCount} must be even (rope rotates pairs).");
        }
        else if (c.RopeDimensionCount > c.HeadDim || c.RopeDimensionCount % 2 != 0)
        {
            throw Bad($"{a}.rope.dimension_count",
                $"Metadata '{a}.rope.dimension_count' = {c.RopeDimensionCount} must be even and at most the head size {c.HeadDim} ({a}.attention.key_length).");
        }
        if (c.IsRecurrent)
        {
            // The recurrent state's sizes are int products in ModelConfig; here they are checked in 64 bits first.
            Width($"({a}.ssm.conv_kernel − 1) × the convolution channels", Mul(c.ConvWindow, c.ConvChannels));
            if (c.Mixer == RecurrentMixer.GatedDeltaNet)
                Width($"{a}.ssm.time_step_rank × {a}.ssm.state_size²", Mul(c.DeltaValueHeads, Mul(c.DeltaHeadDim, c.DeltaHeadDim)));
            if (c.Mixer == RecurrentMixer.Mamba2)
                Width($"{a}.ssm.inner_size × {a}.ssm.state_size", Mul(c.SsmInner, c.SsmState));
        }
        if (c.ExpertCount > 0)
        {
            Width($"{a}.expert_feed_forward_length × {a}.expert_shared_count", (long)c.ExpertFeedForwardLength * Math.Max(1, c.ExpertSharedCount));
            Width($"{a}.expert_count × {a}.expert_feed_forward_length", (long)c.ExpertCount * c.ExpertFeedForwardLength);
        }
    }

    /// <summary>
    /// block_count against the blocks the file has tensors for (<c>blk.N.*</c>), before the layer array is allocated:
    /// a block count of 2^31 − 1 must not allocate two billion layers before the first missing tensor is noticed.
    /// </summary>
    public static void CheckBlocks(GgufFile file, ModelConfig c)
    {
        long highest = -1;
        foreach (var t in file.Tensors)
        {
            if (!t.Name.StartsWith("blk.", StringComparison.Ordinal)) continue;
            int dot = t.Name.IndexOf('.', 4);
            if (dot < 0 || !long.TryParse(t.Name.AsSpan(4, dot - 4), NumberStyles.None, CultureInfo.InvariantCulture, out long index)) continue;
            highest = Math.Max(highest, index);
        }
        string key = $"{c.Architecture}.block_count";
        if (highest + 1 != c.BlockCount)
        {
            string present = highest < 0 ? "no block tensors (blk.N.*)" : $"tensors for blocks 0 to {highest}";
            throw Bad(key, $"Metadata '{key}' = {c.BlockCount} but the file has {present}.");
        }
    }

    /// <summary>
    /// Refuses a session whose estimated memory (KV cache, forward-pass scratch, logits) exceeds
    /// <paramref name="limitBytes"/> (0 = the memory available to this process), or that needs a single array larger than
    /// .NET allows, before any of it is allocated.
    /// </summary>
    public static void CheckSessionMemory(ModelConfig c, int batch, int contextSize, int threads, long limitBytes)
    {
        var (total, largest, what) = SessionMemory(c, batch, contextSize, threads);
        if (largest > Array.MaxLength)
        {
            throw new ModelMemoryException(
                $"A session of {contextSize} tokens (batch {batch}) would need a single buffer of {largest} elements ({what}), more than a .NET array holds ({Array.MaxLength}); the model's hyper-parameters are implausible or the context/batch too large.",
                total, limitBytes);
        }
        long limit = limitBytes > 0 ? limitBytes : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (total > limit)
        {
            throw new ModelMemoryException(
                $"A session of {contextSize} tokens (batch {batch}) would need about {Mib(total)} MiB (KV cache, scratch and logits; largest: {what}) but {(limitBytes > 0 ? "the memory limit is" : "this machine has")} {Mib(limit)} MiB; use a smaller context or batch.",
                total, limit);
        }
    }

    /// <summary>
    /// The token count against the embedding's rows before the tokenizer is built (building a 150 k-token BPE
    /// vocabulary only to find it does not match would be wasted work).
    /// </summary>
    public static void CheckVocabularySize(GgufFile file, ModelConfig c)
    {
        if (file.GetValueOrNull("tokenizer.ggml.tokens") is { IsArray: true } tokens && tokens.ArrayLength != c.VocabSize)
        {
            throw Bad("tokenizer.ggml.tokens",
                $"The vocabulary has {tokens.ArrayLength} tokens (tokenizer.ggml.tokens) but the token embedding has {c.VocabSize} rows (token_embd.weight); they must be equal.");
        }
    }

    /// <summary>The vocabulary the tokenizer describes must be the one the embedding and output head have rows for.</summary>
    public static void CheckTokenizer(Tokenizer tokenizer, ModelConfig c)
    {
        if (tokenizer.VocabSize != c.VocabSize)
        {
            throw Bad("tokenizer.ggml.tokens",
                $"The vocabulary has {tokenizer.VocabSize} tokens (tokenizer.ggml.tokens) but the token embedding has {c.VocabSize} rows (token_embd.weight); they must be equal.");
        }
        // The special tokens addSpecial adds (BOS, EOS/SEP) must exist: checked now rather than at the first prompt.
        tokenizer.Encode(string.Empty, addSpecial: true);
    }

    /// <summary>Estimated bytes of one session and the largest single array (elements) with what it is.</summary>
    internal static (long Total, long Largest, string What) SessionMemory(ModelConfig c, int batch, int context, int threads)
    {
        long largest = 0;
        string what = "";
        double total = 0; // in double: the products of hostile hyper-parameters may exceed 64 bits
        void Add(string name, long elements, int elementBytes, long count = 1)
        {
            if (elements > largest)
            {
                largest = elements;
                what = name;
            }
            total += (double)elements * elementBytes * count;
        }
        long b = batch;
        long nEmbd = c.EmbeddingLength;
        long qDim = (long)c.HeadCount * c.HeadDim, kDim = (long)c.HeadCountKv * c.HeadDim, vDim = (long)c.HeadCountKv * c.ValueHeadDim;
        long attnDim = (long)c.HeadCount * (c.IsLatentAttention ? c.MlaValueDim : c.ValueHeadDim);
        long ff = Math.Max(c.FeedForwardLength, (long)c.ExpertFeedForwardLength * Math.Max(1, c.ExpertSharedCount));
        long keyWidth = c.IsLatentAttention ? (long)c.KvLoraRank + c.RopeDimensionCount : kDim;
        long valueWidth = c.IsLatentAttention ? 0 : vDim;
        Add("the KV cache of one layer", Mul(context, Math.Max(keyWidth, valueWidth)), 2, 0);
        total += 2.0 * c.BlockCount * context * (keyWidth + valueWidth);
        if (c.IsRecurrent)
        {
            long state = Mul(c.ConvWindow, c.ConvChannels)
                + (c.Mixer == RecurrentMixer.GatedDeltaNet ? Mul(c.DeltaValueHeads, Mul(c.DeltaHeadDim, c.DeltaHeadDim))
                    : c.Mixer == RecurrentMixer.Mamba2 ? Mul(c.SsmInner, c.SsmState) : 0);
            Add("the recurrent state of one layer", state, 4, 0);
            total += 4.0 * c.BlockCount * state;
        }
        Add("the residual stream", Mul(b, nEmbd), 4, 3);
        Add("the attention inputs", Mul(b, Math.Max(nEmbd, attnDim)), 4);
        Add("the queries", Mul(b, qDim), 4);
        Add("the keys", Mul(b, kDim), 4);
        Add("the values", Mul(b, vDim), 4);
        Add("the attention output", Mul(b, attnDim), 4);
        Add("the feed-forward activations", Mul(b, ff), 4, 2);
        Add("the logits of a batch", Mul(b, c.VocabSize), 4);
        Add("the output-head logits", (long)ForwardBuffers.LogitRows * c.VocabSize, 4, 2);
        long widest = Math.Max(Math.Max(nEmbd, attnDim), Math.Max(ff, c.QLoraRank));
        Add("the quantized activations", Mul(Mul(b, widest), 4), 1);
        Add("the attention scores", context, 4, threads);
        Add("the session's token history", context, 4);
        if (c.IsLatentAttention)
        {
            long heads = c.HeadCount, r = c.KvLoraRank, rope = c.RopeDimensionCount;
            Add("the latent queries", Mul(b, Mul(heads, c.MlaKeyDim)), 4);
            Add("the absorbed latent queries", Mul(b, Mul(heads, r + rope)), 4);
            Add("the attended latents", Mul(b, Mul(heads, r)), 4);
        }
        if (c.ExpertCount > 0)
        {
            Add("the router logits", Mul(b, c.ExpertCount), 4);
            Add("the expert selections", Mul(b, c.ExpertUsedCount), 4, 2);
            Add("the expert inputs and outputs", Mul(b, nEmbd), 4, 3);
        }
        return (total >= long.MaxValue ? long.MaxValue : (long)total, largest, what);
    }

    /// <summary>A product that saturates at <see cref="long.MaxValue"/> instead of wrapping (operands are non-negative).</summary>
    private static long Mul(long x, long y) => x == 0 || y <= long.MaxValue / x ? x * y : long.MaxValue;

    private static void Finite(string key, float value, float min)
    {
        if (!float.IsFinite(value) || value < min)
            throw Bad(key, $"Metadata '{key}' gives {value.ToString(CultureInfo.InvariantCulture)}, which is not a usable value (finite, at least {min.ToString(CultureInfo.InvariantCulture)}).");
    }

    private static void Width(string what, long value)
    {
        if (value > int.MaxValue)
            throw Bad(what, $"The model's {what} is {value}, beyond any tensor Hearth can use ({int.MaxValue}).");
    }

    private static ModelConfigurationException Bad(string key, string message) => new(message, key);

    private static long Mib(long bytes) => (bytes + (1 << 20) - 1) >> 20;

    internal static string Shape(GgufTensorInfo t) => string.Join(", ", t.Dimensions);
}
