using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// <c>lfm2</c> (Liquid LFM2): a hybrid whose layers with <c>attention.head_count_kv</c> 0 are recurrent — a gated short
/// convolution (<see cref="ShortConvolution"/>, <c>shortconv.l_cache</c> taps) in place of attention — and the rest
/// grouped-query attention with per-head q/k RMS norms and NeoX RoPE (sliding-window when the file gives one). Every
/// layer has the SwiGLU feed-forward; the final norm is stored as <c>token_embd_norm</c>.
/// </summary>
internal static class Lfm2
{
    public static ArchitectureTraits Traits { get; } = new()
    {
        Name = "lfm2",
        RopeStyle = RopeStyle.NeoX,
        QkNorm = true,
        OutputNormName = "token_embd_norm",
        Configure = (c, file) => Configure(c, file),
    };

    internal static void Configure(ModelConfig c, GgufFile file)
    {
        string a = c.Architecture;
        var kvHeads = ModelConfig.PerLayer(file, $"{a}.attention.head_count_kv", c.BlockCount)
            ?? throw new ModelConfigurationException($"An {a} model needs '{a}.attention.head_count_kv' (0 on its convolution layers).");
        var recurrent = new bool[c.BlockCount];
        for (int l = 0; l < recurrent.Length; l++) recurrent[l] = kvHeads[l] == 0;
        c.RecurrentLayers = recurrent;
        c.Mixer = RecurrentMixer.ShortConv;
        c.ConvKernel = ModelConfig.ReadInt(file, $"{a}.shortconv.l_cache", 0, min: 1) is int k and > 0 ? k
            : throw new ModelConfigurationException($"An {a} model needs '{a}.shortconv.l_cache'.", $"{a}.shortconv.l_cache");
        c.ConvChannels = c.EmbeddingLength;
        if (c.SlidingWindow > 0)
        {
            var sliding = new bool[c.BlockCount];
            for (int l = 0; l < sliding.Length; l++) sliding[l] = !recurrent[l];
            c.SlidingLayers = sliding;
        }
    }
}
