namespace Hearth.Numerics;

/// <summary>How rotary embeddings pair the dimensions of a head.</summary>
internal enum RopeStyle
{
    /// <summary>Adjacent pairs (x[2i], x[2i+1]): Llama (ggml's rope mode 0).</summary>
    Normal,

    /// <summary>Halves (x[i], x[i + n/2]): GPT-NeoX, Qwen, Phi-3, Gemma (ggml's rope mode 2).</summary>
    NeoX,
}

/// <summary>
/// Rotary position embeddings as ggml_rope computes them (no YaRN extension): theta_i = p · freq_scale · base^(-2i/n_dims),
/// divided by a per-dimension factor when the model has <c>rope_freqs.weight</c>. Dimensions past n_dims are left alone.
/// </summary>
internal sealed class Rope
{
    private readonly int _dims;
    private readonly RopeStyle _style;
    private readonly float _freqBase;
    private readonly float _freqScale;
    private readonly float[]? _freqFactors;

    public Rope(int dims, RopeStyle style, float freqBase, float freqScale, float[]? freqFactors)
    {
        _dims = dims;
        _style = style;
        _freqBase = freqBase;
        _freqScale = freqScale;
        _freqFactors = freqFactors;
    }

    /// <summary>Rotates each of the <paramref name="heads"/> heads of <paramref name="x"/> (// [heads, headDim]) for position <paramref name="pos"/>.</summary>
    public void Apply(Span<float> x, int heads, int headDim, int pos)
    {
        // The angles depend only on the position: compute cos/sin once for all heads (the trigonometry, not the
        // rotation, is what costs here).
        int half = _dims / 2;
        Span<float> cos = half <= 256 ? stackalloc float[half] : new float[half];
        Span<float> sin = half <= 256 ? stackalloc float[half] : new float[half];
        float thetaScale = MathF.Pow(_freqBase, -2.0f / _dims);
        // ggml advances theta by repeated multiplication in float; doing the same keeps results bit-close.
        float theta = pos * _freqScale;
        for (int i = 0; i < half; i++)
        {
            float t = _freqFactors != null ? theta / _freqFactors[i] : theta;
            cos[i] = MathF.Cos(t);
            sin[i] = MathF.Sin(t);
            theta *= thetaScale;
        }
        VectorOps.RotatePairs(x, heads, headDim, _style, cos, sin);
    }
}
