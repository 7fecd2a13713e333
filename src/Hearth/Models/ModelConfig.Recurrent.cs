using Hearth.Gguf;

namespace Hearth.Models;

/// <summary>The token mixer of a recurrent (non-attention) layer.</summary>
internal enum RecurrentMixer
{
    None,

    /// <summary>LFM2's gated short convolution: in_proj → (b, c, x); y = c ⊙ conv(b ⊙ x); out_proj.</summary>
    ShortConv,

    /// <summary>Gated DeltaNet (Qwen3.5/Qwen3-Next): short conv + SiLU over q/k/v, L2-normed q/k, the gated delta rule.</summary>
    GatedDeltaNet,

    /// <summary>Mamba-2 (Granite 4.0 H): ssm_in → z | x B C | dt; conv + SiLU over x B C; the selective scan with a
    /// scalar decay per head; D skip; SiLU(z) gate; RMSNorm per group; ssm_out.</summary>
    Mamba2,
}

/// <summary>
/// Hyper-parameters of hybrid models whose layers are partly recurrent (llama.cpp's <c>ssm.*</c> and
/// <c>shortconv.*</c> keys). A recurrent layer keeps no KV cache but a fixed-size per-sequence state
/// (<see cref="Inference.RecurrentState"/>): a window of the last <see cref="ConvWindow"/> inputs of its causal
/// convolution (// [ConvWindow, ConvChannels]) and, for Gated DeltaNet, one [S, S] matrix per value head.
/// </summary>
public sealed partial class ModelConfig
{
    /// <summary>Which layers are recurrent; null = none (a plain transformer). // [n_layer]</summary>
    internal bool[]? RecurrentLayers { get; set; }

    internal RecurrentMixer Mixer { get; set; }

    /// <summary>Taps of the causal convolution (LFM2 <c>shortconv.l_cache</c>, Qwen3.5 <c>ssm.conv_kernel</c>).</summary>
    internal int ConvKernel { get; set; }

    /// <summary>Channels the convolution runs over: n_embd (LFM2), or q + k + v widths (Gated DeltaNet).</summary>
    internal int ConvChannels { get; set; }

    /// <summary>Past inputs the convolution state keeps: kernel - 1.</summary>
    internal int ConvWindow => Math.Max(0, ConvKernel - 1);

    /// <summary>Gated DeltaNet: key/value head width (<c>ssm.state_size</c>; llama.cpp requires them equal).</summary>
    internal int DeltaHeadDim { get; set; }

    /// <summary>Gated DeltaNet: key heads (<c>ssm.group_count</c>) and value heads (<c>ssm.time_step_rank</c>); value
    /// head h reads key head h mod key heads, as ggml's broadcast does.</summary>
    internal int DeltaKeyHeads { get; set; }

    internal int DeltaValueHeads { get; set; }

    /// <summary>Qwen3-Next repeats each key head for consecutive value heads (value head h reads key head
    /// h / (n_v / n_k)) where Qwen3.5 tiles them (h mod n_k).</summary>
    internal bool DeltaGroupedKeyHeads { get; set; }

    /// <summary>The key head value head <paramref name="h"/> reads.</summary>
    internal int DeltaKeyHeadOf(int h) => DeltaGroupedKeyHeads ? h / (DeltaValueHeads / DeltaKeyHeads) : h % DeltaKeyHeads;

    internal int DeltaKeyWidth => DeltaKeyHeads * DeltaHeadDim;

    /// <summary>Gated DeltaNet: width of the values and of the mixer output (<c>ssm.inner_size</c>).</summary>
    internal int DeltaValueWidth => DeltaValueHeads * DeltaHeadDim;

    /// <summary>Mamba-2: width of x, z and the mixer output (<c>ssm.inner_size</c>, d_inner).</summary>
    internal int SsmInner { get; set; }

    /// <summary>Mamba-2: the state size N of every channel (<c>ssm.state_size</c>), also the width of B and C per group.</summary>
    internal int SsmState { get; set; }

    /// <summary>Mamba-2: heads (<c>ssm.time_step_rank</c>), each d_inner / heads channels with one dt and one decay.</summary>
    internal int SsmHeads { get; set; }

    /// <summary>Mamba-2: groups sharing B and C (<c>ssm.group_count</c>); head h reads group h / (heads / groups), and
    /// the output norm runs over each group's d_inner / groups channels.</summary>
    internal int SsmGroups { get; set; }

    internal int SsmHeadDim => SsmHeads > 0 ? SsmInner / SsmHeads : 0;

    /// <summary>Mamba-2: the in-projection's width, z | x B C | dt = 2 d_inner + 2 groups × N + heads.</summary>
    internal int SsmInProjWidth => 2 * SsmInner + 2 * SsmGroups * SsmState + SsmHeads;

    /// <summary>Floats of one layer's recurrent matrix state: Gated DeltaNet value heads × S × S, Mamba-2 d_inner × N
    /// (0 for short convolutions).</summary>
    internal int RecurrentMatrixSize => Mixer switch
    {
        RecurrentMixer.GatedDeltaNet => DeltaValueHeads * DeltaHeadDim * DeltaHeadDim,
        RecurrentMixer.Mamba2 => SsmInner * SsmState,
        _ => 0,
    };

    /// <summary>M-RoPE sections (<c>rope.dimension_sections</c>, Qwen3.5's interleaved form); null = plain RoPE.</summary>
    internal int[]? RopeSections { get; set; }

    /// <summary>The attention output is gated by sigmoid of a second half of the query projection (Qwen3.5/Qwen3-Next).</summary>
    internal bool AttentionOutputGate { get; set; }

    /// <summary>Width of the shared expert (<c>expert_shared_feed_forward_length</c>), when it differs from the experts'.</summary>
    internal int ExpertSharedFeedForwardLength { get; set; }

    internal bool IsRecurrent => RecurrentLayers != null;

    /// <summary>F16 bytes one position takes in the KV cache (attention layers only).</summary>
    public long KvCacheBytesPerToken
    {
        get
        {
            long layers = 0;
            for (int l = 0; l < BlockCount; l++) layers += IsRecurrentLayer(l) ? 0 : 1;
            return 2L * layers * (CacheKeyWidth + CacheValueWidth);
        }
    }

    /// <summary>F32 bytes of one sequence's recurrent state (see <see cref="Inference.RecurrentState"/>); 0 for a transformer.</summary>
    public long RecurrentStateBytes
    {
        get
        {
            long layers = 0;
            for (int l = 0; l < BlockCount; l++) layers += IsRecurrentLayer(l) ? 1 : 0;
            return 4L * layers * ((long)ConvWindow * ConvChannels + RecurrentMatrixSize);
        }
    }

    internal bool IsRecurrentLayer(int layer) => RecurrentLayers != null && RecurrentLayers[layer];

    /// <summary>An integer metadata value that may be one number or one per layer (llama.cpp's get_key_or_arr).</summary>
    internal static long[]? PerLayer(GgufFile file, string key, int layers)
    {
        var v = file.GetValueOrNull(key);
        if (v is null) return null;
        if (v.Value is not Array a)
        {
            var one = new long[layers];
            Array.Fill(one, v.AsInt64(key));
            return one;
        }
        if (a.Length != layers) throw new ModelConfigurationException($"Metadata '{key}' has {a.Length} values; the model has {layers} layers.", key);
        var result = new long[layers];
        for (int i = 0; i < layers; i++) result[i] = Element(v, key, a.GetValue(i));
        return result;
    }

    /// <summary>The largest value of an integer key that may be per layer (head_count_kv in LFM2: 0 on recurrent layers).</summary>
    internal static long? MaxPerLayer(GgufFile file, string key)
    {
        var v = file.GetValueOrNull(key);
        if (v is null) return null;
        if (v.Value is not Array a) return v.AsInt64(key);
        long max = 0;
        foreach (object? o in a) max = Math.Max(max, Element(v, key, o));
        return max;
    }

    /// <summary>An element of an integer array; any other element type is an error naming the key.</summary>
    private static long Element(GgufValue array, string key, object? o) => o switch
    {
        byte x => x,
        sbyte x => x,
        ushort x => x,
        short x => x,
        uint x => x,
        int x => x,
        long x => x,
        ulong x when x <= long.MaxValue => (long)x,
        bool x => x ? 1 : 0,
        _ => throw array.WrongType(key, "an integer or an array of integers"),
    };

    /// <summary>One integer element of a per-layer array; any other element type is a typed error naming the key.</summary>
    internal static long LayerValue(object? o, string key) => o switch
    {
        byte v => v,
        sbyte v => v,
        ushort v => v,
        short v => v,
        uint v => v,
        int v => v,
        long v => v,
        ulong v when v <= long.MaxValue => (long)v,
        _ => throw new ModelConfigurationException($"Metadata '{key}' should hold integers, one per layer, but holds {o?.GetType().Name ?? "null"} values.", key),
    };

    private void ValidateRecurrent()
    {
        if (RecurrentLayers is null) return;
        if (ConvKernel < 2) throw new ModelConfigurationException($"A recurrent layer needs a convolution kernel of at least 2 taps (got {ConvKernel}).");
        if (Mixer == RecurrentMixer.GatedDeltaNet)
        {
            if (DeltaHeadDim <= 0 || DeltaKeyHeads <= 0 || DeltaValueHeads <= 0 || DeltaValueHeads % DeltaKeyHeads != 0)
                throw new ModelConfigurationException(
                    $"Gated DeltaNet needs ssm.state_size > 0 and ssm.time_step_rank ({DeltaValueHeads}) a multiple of ssm.group_count ({DeltaKeyHeads}).");
        }
        if (Mixer == RecurrentMixer.Mamba2)
        {
            string a = Architecture;
            if (SsmInner <= 0 || SsmState <= 0 || SsmHeads <= 0 || SsmGroups <= 0)
                throw new ModelConfigurationException($"A Mamba-2 layer needs positive '{a}.ssm.inner_size', '{a}.ssm.state_size', '{a}.ssm.time_step_rank' and '{a}.ssm.group_count'.", $"{a}.ssm.inner_size");
            if (SsmInner % SsmHeads != 0)
                throw new ModelConfigurationException($"Metadata '{a}.ssm.inner_size' = {SsmInner} is not a multiple of '{a}.ssm.time_step_rank' = {SsmHeads} (the Mamba-2 heads).", $"{a}.ssm.time_step_rank");
            if (SsmHeads % SsmGroups != 0)
                throw new ModelConfigurationException($"Metadata '{a}.ssm.time_step_rank' = {SsmHeads} is not a multiple of '{a}.ssm.group_count' = {SsmGroups}.", $"{a}.ssm.group_count");
            if (2L * SsmInner + 2L * SsmGroups * SsmState + SsmHeads > int.MaxValue || (long)SsmInner * SsmState > int.MaxValue)
                throw new ModelConfigurationException($"The Mamba-2 widths ('{a}.ssm.inner_size' {SsmInner}, '{a}.ssm.state_size' {SsmState}, '{a}.ssm.group_count' {SsmGroups}) are implausibly large.", $"{a}.ssm.inner_size");
        }
    }
}
