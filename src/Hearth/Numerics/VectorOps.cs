using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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

    /// <summary>
    /// y = (x - mean) / sqrt(var + eps) · weight + bias (LayerNorm), as ggml's norm then mul and add: mean and variance in
    /// float over the centred values. <paramref name="y"/> may be <paramref name="x"/>.
    /// </summary>
    public static void LayerNorm(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, float eps, Span<float> y)
    {
        int n = x.Length;
        float mean = TensorPrimitives.Sum(x) / n;
        TensorPrimitives.Subtract(x, mean, y);
        float variance = TensorPrimitives.SumOfSquares(y[..n]) / n;
        TensorPrimitives.Multiply(y[..n], 1.0f / MathF.Sqrt(variance + eps), y);
        TensorPrimitives.MultiplyAdd(y[..n], weight, bias, y);
    }

    /// <summary>The scalar reference of <see cref="LayerNorm"/>: plain loops, double sums.</summary>
    public static void LayerNormScalar(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, float eps, Span<float> y)
    {
        int n = x.Length;
        double sum = 0;
        for (int i = 0; i < n; i++) sum += x[i];
        float mean = (float)(sum / n);
        double sq = 0;
        for (int i = 0; i < n; i++)
        {
            float v = x[i] - mean;
            sq += (double)v * v;
        }
        float scale = 1.0f / MathF.Sqrt((float)(sq / n) + eps);
        for (int i = 0; i < n; i++) y[i] = (x[i] - mean) * scale * weight[i] + bias[i];
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

    /// <summary>
    /// Softmax over x and one extra logit <paramref name="sink"/> that takes its share of the sum but has no output (the
    /// attention sinks of gpt-oss), as ggml's soft_max with sinks: max over both, Σ exp(x − max) + exp(sink − max).
    /// </summary>
    public static void SoftmaxWithSink(Span<float> x, float sink)
    {
        float max = MathF.Max(TensorPrimitives.Max(x), sink);
        TensorPrimitives.Subtract(x, max, x);
        TensorPrimitives.Exp(x, x);
        float sum = TensorPrimitives.Sum(x) + MathF.Exp(sink - max);
        TensorPrimitives.Multiply(x, 1.0f / sum, x);
    }

    /// <summary>gpt-oss's SwiGLU: α = 1.702 and the clamp limit 7 of ggml's swiglu_oai.</summary>
    public const float OaiAlpha = 1.702f, OaiLimit = 7f;

    /// <summary>
    /// gate = x · sigmoid(α·x) · (y + 1) with x = min(gate, 7) and y = clamp(up, −7, 7) (ggml's swiglu_oai), vectorised in
    /// slices of 256.
    /// </summary>
    public static void SwigluOai(Span<float> gate, ReadOnlySpan<float> up)
    {
        Span<float> t = stackalloc float[256];
        Span<float> u = stackalloc float[256];
        for (int i = 0; i < gate.Length; i += 256)
        {
            int n = Math.Min(256, gate.Length - i);
            var g = gate.Slice(i, n);
            var e = t[..n];
            var y = u[..n];
            TensorPrimitives.Min(g, OaiLimit, g);
            TensorPrimitives.Multiply(g, -OaiAlpha, e);
            TensorPrimitives.Exp(e, e);
            TensorPrimitives.Add(e, 1.0f, e);
            TensorPrimitives.Divide(g, e, g);
            TensorPrimitives.Max(up.Slice(i, n), -OaiLimit, y);
            TensorPrimitives.Min(y, OaiLimit, y);
            TensorPrimitives.Add(y, 1.0f, y);
            TensorPrimitives.Multiply(g, y, g);
        }
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

    /// <summary>
    /// Rotary embedding of each of the <paramref name="heads"/> heads of <paramref name="x"/> (// [heads, headDim]): pair i
    /// (dims 2i, 2i+1 for <see cref="RopeStyle.Normal"/>, i and i + n/2 for NeoX, n = 2·cos.Length) becomes
    /// (x0·cos − x1·sin, x0·sin + x1·cos); dimensions past n stay. Vectorised, bit-identical to
    /// <see cref="RotatePairsScalar"/> (separate multiplies and adds, no fused rounding).
    /// </summary>
    // x: [heads, headDim]; cos, sin: [n/2] for this position.
    public static void RotatePairs(Span<float> x, int heads, int headDim, RopeStyle style, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin)
    {
        int pairs = cos.Length;
        if (x.Length < heads * headDim || 2 * pairs > headDim || sin.Length < pairs) throw new ArgumentException("Rotary shapes do not fit the input.");
        if (!Vector128.IsHardwareAccelerated)
        {
            RotatePairsScalar(x, heads, headDim, style, cos, sin);
            return;
        }
        if (style == RopeStyle.NeoX)
        {
            for (int h = 0; h < heads; h++)
            {
                var head = x.Slice(h * headDim, 2 * pairs);
                RotateHalves(head[..pairs], head[pairs..], cos, sin);
            }
            return;
        }
        // Adjacent pairs: x·[c0 c0 c1 c1 ..] + swap(x)·[-s0 s0 -s1 s1 ..]; x0·c + (−(x1·s)) equals x0·c − x1·s exactly.
        int n = 2 * pairs;
        Span<float> cd = n <= 512 ? stackalloc float[n] : new float[n];
        Span<float> sd = n <= 512 ? stackalloc float[n] : new float[n];
        for (int i = 0; i < pairs; i++)
        {
            cd[2 * i] = cd[2 * i + 1] = cos[i];
            sd[2 * i] = -sin[i];
            sd[2 * i + 1] = sin[i];
        }
        for (int h = 0; h < heads; h++) RotateAdjacent(x.Slice(h * headDim, n), cd, sd);
    }

    // a, b: [m] first and second halves; cos, sin: [m].
    private static void RotateHalves(Span<float> a, Span<float> b, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin)
    {
        int m = a.Length, i = 0;
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float rc = ref MemoryMarshal.GetReference(cos);
        ref float rs = ref MemoryMarshal.GetReference(sin);
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= m; i += 8)
            {
                var x0 = Vector256.LoadUnsafe(ref ra, (nuint)i);
                var x1 = Vector256.LoadUnsafe(ref rb, (nuint)i);
                var c = Vector256.LoadUnsafe(ref rc, (nuint)i);
                var s = Vector256.LoadUnsafe(ref rs, (nuint)i);
                (x0 * c - x1 * s).StoreUnsafe(ref ra, (nuint)i);
                (x0 * s + x1 * c).StoreUnsafe(ref rb, (nuint)i);
            }
        }
        for (; i + 4 <= m; i += 4)
        {
            var x0 = Vector128.LoadUnsafe(ref ra, (nuint)i);
            var x1 = Vector128.LoadUnsafe(ref rb, (nuint)i);
            var c = Vector128.LoadUnsafe(ref rc, (nuint)i);
            var s = Vector128.LoadUnsafe(ref rs, (nuint)i);
            (x0 * c - x1 * s).StoreUnsafe(ref ra, (nuint)i);
            (x0 * s + x1 * c).StoreUnsafe(ref rb, (nuint)i);
        }
        for (; i < m; i++)
        {
            float x0 = a[i], x1 = b[i];
            a[i] = x0 * cos[i] - x1 * sin[i];
            b[i] = x0 * sin[i] + x1 * cos[i];
        }
    }

    // x: [n] adjacent pairs; cd: [n] cosines doubled; sd: [n] (-sin, sin) per pair.
    private static void RotateAdjacent(Span<float> x, ReadOnlySpan<float> cd, ReadOnlySpan<float> sd)
    {
        int n = x.Length, i = 0;
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float rc = ref MemoryMarshal.GetReference(cd);
        ref float rs = ref MemoryMarshal.GetReference(sd);
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= n; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref rx, (nuint)i);
                var swapped = Vector256.Shuffle(v, Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6));
                (v * Vector256.LoadUnsafe(ref rc, (nuint)i) + swapped * Vector256.LoadUnsafe(ref rs, (nuint)i)).StoreUnsafe(ref rx, (nuint)i);
            }
        }
        for (; i + 4 <= n; i += 4)
        {
            var v = Vector128.LoadUnsafe(ref rx, (nuint)i);
            var swapped = Vector128.Shuffle(v, Vector128.Create(1, 0, 3, 2));
            (v * Vector128.LoadUnsafe(ref rc, (nuint)i) + swapped * Vector128.LoadUnsafe(ref rs, (nuint)i)).StoreUnsafe(ref rx, (nuint)i);
        }
        for (; i < n; i += 2)
        {
            float x0 = x[i], x1 = x[i + 1];
            x[i] = x0 * cd[i] - x1 * sd[i + 1];
            x[i + 1] = x0 * sd[i + 1] + x1 * cd[i];
        }
    }

    /// <summary>The scalar reference of <see cref="RotatePairs"/>.</summary>
    public static void RotatePairsScalar(Span<float> x, int heads, int headDim, RopeStyle style, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin)
    {
        int pairs = cos.Length;
        for (int h = 0; h < heads; h++)
        {
            var head = x.Slice(h * headDim, headDim);
            for (int i = 0; i < pairs; i++)
            {
                int a = style == RopeStyle.Normal ? 2 * i : i;
                int b = style == RopeStyle.Normal ? 2 * i + 1 : i + pairs;
                float x0 = head[a], x1 = head[b];
                head[a] = x0 * cos[i] - x1 * sin[i];
                head[b] = x0 * sin[i] + x1 * cos[i];
            }
        }
    }
}
