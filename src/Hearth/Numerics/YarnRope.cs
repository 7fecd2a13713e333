namespace Hearth.Numerics;

/// <summary>
/// Rotary position embeddings with ggml's full parameter set (ggml_rope_ext): YaRN's blend of interpolated and
/// extrapolated angles over a ramp between the correction dimensions, and a magnitude factor on cos/sin. Angles follow
/// ggml's cache: theta_extrap = p · base^(-2i/n_dims) by repeated float multiplication, divided by a per-pair factor
/// when given; theta_interp = freq_scale · theta_extrap. With ext_factor 0 and attn_factor 1 this is plain rope.
/// Dimensions past n_dims are left alone.
/// </summary>
internal sealed class YarnRope
{
    private readonly int _dims;
    private readonly RopeStyle _style;
    private readonly float _thetaScale;
    private readonly float _freqScale;
    private readonly float[]? _freqFactors;
    private readonly float _extFactor;
    private readonly float _mscale;
    private readonly float _corrLow;
    private readonly float _corrHigh;

    /// <param name="dims">Rotated dimensions per head (n_dims).</param>
    /// <param name="style">Which dimensions form pairs.</param>
    /// <param name="freqBase">RoPE base.</param>
    /// <param name="freqScale">Position scale (1 / rope.scaling.factor).</param>
    /// <param name="freqFactors">Per-pair divisors of the angle (// [dims / 2]) or null.</param>
    /// <param name="extFactor">YaRN extrapolation mix; 0 = none.</param>
    /// <param name="attnFactor">Magnitude factor on cos and sin.</param>
    /// <param name="betaFast">YaRN's high-frequency correction (rotations).</param>
    /// <param name="betaSlow">YaRN's low-frequency correction (rotations).</param>
    /// <param name="originalContext">Training context before extension (n_ctx_orig), for the correction dimensions.</param>
    public YarnRope(int dims, RopeStyle style, float freqBase, float freqScale, float[]? freqFactors,
        float extFactor, float attnFactor, float betaFast, float betaSlow, int originalContext)
    {
        _dims = dims;
        _style = style;
        _thetaScale = MathF.Pow(freqBase, -2.0f / dims);
        _freqScale = freqScale;
        _freqFactors = freqFactors;
        _extFactor = extFactor;
        // ggml: YaRN also corrects the magnitude for interpolation.
        _mscale = extFactor != 0 ? attnFactor * (1.0f + 0.1f * MathF.Log(1.0f / freqScale)) : attnFactor;
        float start = MathF.Floor(CorrectionDim(dims, originalContext, betaFast, freqBase));
        float end = MathF.Ceiling(CorrectionDim(dims, originalContext, betaSlow, freqBase));
        _corrLow = MathF.Max(0, start);
        _corrHigh = MathF.Min(dims - 1, end);
    }

    // The dimension whose wavelength fits n_rot rotations into the original context (YaRN paper, eq. 17 as in ggml).
    private static float CorrectionDim(int dims, int originalContext, float rotations, float freqBase) =>
        dims * MathF.Log(originalContext / (rotations * 2 * MathF.PI)) / (2 * MathF.Log(freqBase));

    /// <summary>Rotates each of the <paramref name="heads"/> heads of <paramref name="x"/> (// [heads, headDim]) for position <paramref name="pos"/>.</summary>
    public void Apply(Span<float> x, int heads, int headDim, int pos)
    {
        int pairs = _dims / 2;
        Span<float> cos = pairs <= 256 ? stackalloc float[pairs] : new float[pairs];
        Span<float> sin = pairs <= 256 ? stackalloc float[pairs] : new float[pairs];
        float theta = pos;
        for (int i = 0; i < pairs; i++)
        {
            float extrap = _freqFactors != null ? theta / _freqFactors[i] : theta;
            float t = _freqScale * extrap;
            if (_extFactor != 0)
            {
                float y = (i - _corrLow) / MathF.Max(0.001f, _corrHigh - _corrLow);
                float mix = (1 - MathF.Min(1, MathF.Max(0, y))) * _extFactor;
                t = t * (1 - mix) + extrap * mix;
            }
            cos[i] = MathF.Cos(t) * _mscale;
            sin[i] = MathF.Sin(t) * _mscale;
            theta *= _thetaScale;
        }
        VectorOps.RotatePairs(x, heads, headDim, _style, cos, sin);
    }
}
