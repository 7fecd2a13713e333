using System.Numerics.Tensors;

namespace Hearth.Numerics;

/// <summary>Element-wise and row kernels of the transformer: RMS norm, softmax, SiLU gating, rotary embeddings.</summary>
internal static class VectorOps
{
    /// <summary>y = x / sqrt(mean(x²) + eps) · weight. The sum of squares is accumulated in double, as ggml's rms_norm does.</summary>
    public static void RmsNorm(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, float eps, Span<float> y)
    {
        double sum = 0;
        int i = 0;
        // TensorPrimitives.SumOfSquares accumulates in float; ggml uses double. Blocks of 64 keep float error small
        // while staying vectorised.
        for (; i + 64 <= x.Length; i += 64) sum += TensorPrimitives.SumOfSquares(x.Slice(i, 64));
        for (; i < x.Length; i++) sum += (double)x[i] * x[i];
        float scale = 1.0f / MathF.Sqrt((float)(sum / x.Length) + eps);
        TensorPrimitives.Multiply(x, scale, y);
        TensorPrimitives.Multiply(y, weight, y);
    }

    /// <summary>In-place softmax over <paramref name="x"/>.</summary>
    public static void Softmax(Span<float> x)
    {
        float max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, x);
        TensorPrimitives.Exp(x, x);
        float sum = TensorPrimitives.Sum(x);
        TensorPrimitives.Multiply(x, 1.0f / sum, x);
    }

    /// <summary>gate = silu(gate) · up (SwiGLU), silu(g) = g / (1 + e^-g), vectorised in slices of 256.</summary>
    public static void SwiGlu(Span<float> gate, ReadOnlySpan<float> up)
    {
        Span<float> t = stackalloc float[256];
        for (int i = 0; i < gate.Length; i += 256)
        {
            int n = Math.Min(256, gate.Length - i);
            var g = gate.Slice(i, n);
            var e = t[..n];
            TensorPrimitives.Negate(g, e);
            TensorPrimitives.Exp(e, e);
            TensorPrimitives.Add(e, 1.0f, e);
            TensorPrimitives.Divide(g, e, g);
            TensorPrimitives.Multiply(g, up.Slice(i, n), g);
        }
    }
}
