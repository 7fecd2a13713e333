namespace Hearth.Models;

/// <summary>What Gemma 2 and Gemma 3 share in their hyper-parameters.</summary>
internal static class Gemma
{
    /// <summary>Layer i is local when i mod pattern &lt; pattern - 1 (llama.cpp's set_swa_pattern): pattern 2 makes the even
    /// layers local, pattern 6 five local layers per global one. // [n_layer]</summary>
    public static bool[] SlidingPattern(int layers, int pattern)
    {
        var local = new bool[layers];
        for (int i = 0; i < layers; i++) local[i] = pattern == 0 || i % pattern < pattern - 1;
        return local;
    }

    /// <summary>query_pre_attn_scalar: 1/sqrt(head_dim), except the 27B models use 1/sqrt(n_embd / n_head); llama.cpp tells
    /// them apart by layer count.</summary>
    public static float QueryScale(ModelConfig c, bool largest) =>
        largest ? 1.0f / MathF.Sqrt((float)(c.EmbeddingLength / c.HeadCount)) : 1.0f / MathF.Sqrt(c.HeadDim);
}
