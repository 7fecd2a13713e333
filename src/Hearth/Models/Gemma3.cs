using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// <c>gemma3</c>: Gemma 2's block (scaled embeddings, GELU-tanh, pre and post norms, pre-scaled queries) with per-head
/// RMS norms on queries and keys instead of attention soft-capping, and, when the file gives a sliding window, five local
/// layers for each global one (pattern 6) whose RoPE uses base 10000 without scaling while the global layers use
/// rope.freq_base and the file's scaling. The final soft-cap applies only without sliding window, as in llama.cpp.
/// </summary>
internal static class Gemma3
{
    public static ArchitectureTraits Traits { get; } = new()
    {
        Name = "gemma3",
        RopeStyle = RopeStyle.NeoX,
        QkNorm = true,
        Activation = FeedForwardActivation.GeluTanh,
        ScaleQueries = true,
        PostNorms = true,
        Configure = (c, file) =>
        {
            string a = c.Architecture;
            c.EmbeddingScale = MathF.Sqrt(c.EmbeddingLength);
            c.AttnLogitSoftcap = 0;
            if (c.SlidingWindow > 0)
            {
                c.SlidingLayers = Gemma.SlidingPattern(c.BlockCount, ModelConfig.ReadInt(file, $"{a}.attention.sliding_window_pattern", 6));
                c.RopeFreqBaseSwa = (float)(file.GetDouble($"{a}.rope.freq_base_swa") ?? 10000.0);
                c.RopeFreqScaleSwa = 1f;
                c.FinalLogitSoftcap = 0;
            }
            c.AttentionScale = Gemma.QueryScale(c, largest: c.BlockCount == 62);
        },
    };
}
