using System.Numerics.Tensors;

namespace Hearth.Numerics;

/// <summary>
/// The per-token steps of recurrent token mixers, each with a plain scalar reference beside it: the causal
/// convolution with its rolling window (ggml_ssm_conv over the state prepended to the input), L2 normalisation
/// (ggml_l2_norm), the gated delta rule (ggml_gated_delta_net's recurrence) and Mamba-2's selective scan
/// (ggml_ssm_scan with a scalar decay per head).
/// </summary>
internal static class RecurrentKernels
{
    /// <summary>
    /// One token of a causal depth-wise convolution over channels [c0, c1): y[c] = Σ_i in_i[c] · taps[i, c], where
    /// in_0..in_{K-2} are the window's rows (oldest first) and in_{K-1} is <paramref name="x"/>; then the window drops its
    /// oldest row and appends x. Spans hold all channels; only [c0, c1) is read or written.
    /// </summary>
    // window: [K-1, C]; x: [C]; taps: [K, C]; y: [C].
    public static void ConvStep(Span<float> window, ReadOnlySpan<float> x, ReadOnlySpan<float> taps, Span<float> y, int channels, int c0, int c1)
    {
        int w = taps.Length / channels - 1, n = c1 - c0;
        var acc = y.Slice(c0, n);
        acc.Clear();
        for (int i = 0; i < w; i++)
        {
            var row = window.Slice(i * channels + c0, n);
            TensorPrimitives.MultiplyAdd(row, taps.Slice(i * channels + c0, n), acc, acc);
        }
        TensorPrimitives.MultiplyAdd(x.Slice(c0, n), taps.Slice(w * channels + c0, n), acc, acc);
        for (int i = 0; i + 1 < w; i++) window.Slice((i + 1) * channels + c0, n).CopyTo(window.Slice(i * channels + c0, n));
        if (w > 0) x.Slice(c0, n).CopyTo(window.Slice((w - 1) * channels + c0, n));
    }

    /// <summary>Scalar reference of <see cref="ConvStep"/> over all channels.</summary>
    public static void ConvStepReference(float[] window, float[] x, float[] taps, float[] y, int channels)
    {
        int w = taps.Length / channels - 1;
        for (int c = 0; c < channels; c++)
        {
            float sum = 0;
            for (int i = 0; i < w; i++) sum += window[i * channels + c] * taps[i * channels + c];
            sum += x[c] * taps[w * channels + c];
            y[c] = sum;
            for (int i = 0; i + 1 < w; i++) window[i * channels + c] = window[(i + 1) * channels + c];
            if (w > 0) window[(w - 1) * channels + c] = x[c];
        }
    }

    /// <summary>x ← x / max(‖x‖₂, eps), the norm summed in double as ggml does.</summary>
    public static void L2Normalize(Span<float> x, float eps)
    {
        double sum = 0;
        int i = 0;
        // Four independent partial sums; exact order does not matter beyond the double's rounding.
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (; i + 4 <= x.Length; i += 4)
        {
            s0 += x[i] * x[i];
            s1 += x[i + 1] * x[i + 1];
            s2 += x[i + 2] * x[i + 2];
            s3 += x[i + 3] * x[i + 3];
        }
        for (; i < x.Length; i++) sum += x[i] * x[i];
        sum += s0 + s1 + s2 + s3;
        float scale = 1f / MathF.Max(MathF.Sqrt((float)sum), eps);
        TensorPrimitives.Multiply(x, scale, x);
    }

    /// <summary>Scalar reference of <see cref="L2Normalize"/>.</summary>
    public static void L2NormalizeReference(float[] x, float eps)
    {
        double sum = 0;
        foreach (float v in x) sum += v * v;
        float scale = 1f / MathF.Max(MathF.Sqrt((float)sum), eps);
        for (int i = 0; i < x.Length; i++) x[i] *= scale;
    }

    /// <summary>
    /// One token of the gated delta rule for one head with state S (// [S_v, S_k] as <paramref name="m"/>: row j holds
    /// S[·][j]): S ← exp(g)·S; δ_j = (v_j − Σ_i S[i][j] k_i) · β; S[i][j] += k_i δ_j; o_j = scale · Σ_i S[i][j] q_i. Every
    /// row j depends only on itself, so it is done in one pass over the row.
    /// </summary>
    // m: [dim, dim]; q, k, v, o: [dim].
    public static void DeltaRuleStep(Span<float> m, ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, float decay, float beta, float scale, Span<float> o)
    {
        int dim = v.Length;
        for (int j = 0; j < dim; j++)
        {
            var row = m.Slice(j * dim, dim);
            TensorPrimitives.Multiply(row, decay, row);
            float delta = (v[j] - TensorPrimitives.Dot(row, k)) * beta;
            TensorPrimitives.MultiplyAdd(k, delta, row, row);
            o[j] = TensorPrimitives.Dot(row, q) * scale;
        }
    }

    /// <summary>Scalar reference of <see cref="DeltaRuleStep"/>, in the paper's three passes over the whole state.</summary>
    public static void DeltaRuleStepReference(float[] m, float[] q, float[] k, float[] v, float decay, float beta, float scale, float[] o)
    {
        int dim = v.Length;
        for (int e = 0; e < m.Length; e++) m[e] *= decay;
        var delta = new float[dim];
        for (int j = 0; j < dim; j++)
        {
            float sk = 0;
            for (int i = 0; i < dim; i++) sk += m[j * dim + i] * k[i];
            delta[j] = (v[j] - sk) * beta;
        }
        for (int j = 0; j < dim; j++)
        {
            for (int i = 0; i < dim; i++) m[j * dim + i] += k[i] * delta[j];
        }
        for (int j = 0; j < dim; j++)
        {
            float s = 0;
            for (int i = 0; i < dim; i++) s += m[j * dim + i] * q[i];
            o[j] = s * scale;
        }
    }

    /// <summary>
    /// One token of Mamba-2's selective scan for the channels of one head, each with a state row of N (// [channels, N]
    /// as <paramref name="state"/>): with Δ = <paramref name="dtSoftplus"/> and decay dA = exp(Δ · A),
    /// s_i ← dA · s_i + (x_i · Δ) · B; y_i = s_i · C + D · x_i. B and C are the head's group's, shared by its channels.
    /// </summary>
    // state: [x.Length, N]; x, y: [channels]; b, c: [N].
    public static void SsmScanStep(Span<float> state, ReadOnlySpan<float> x, ReadOnlySpan<float> b, ReadOnlySpan<float> c,
        float decay, float dtSoftplus, float d, Span<float> y)
    {
        int n = b.Length;
        for (int i = 0; i < x.Length; i++)
        {
            var row = state.Slice(i * n, n);
            TensorPrimitives.Multiply(row, decay, row);
            TensorPrimitives.MultiplyAdd(b, x[i] * dtSoftplus, row, row);
            y[i] = TensorPrimitives.Dot(row, c) + d * x[i];
        }
    }

    /// <summary>Scalar reference of <see cref="SsmScanStep"/>, element by element as the recurrence is written.</summary>
    public static void SsmScanStepReference(float[] state, float[] x, float[] b, float[] c, float decay, float dtSoftplus, float d, float[] y)
    {
        int n = b.Length;
        for (int i = 0; i < x.Length; i++)
        {
            float sum = 0;
            for (int j = 0; j < n; j++)
            {
                float s = state[i * n + j] * decay + b[j] * (x[i] * dtSoftplus);
                state[i * n + j] = s;
                sum += s * c[j];
            }
            y[i] = sum + d * x[i];
        }
    }

    /// <summary>silu(x) = x · sigmoid(x), in place.</summary>
    public static void Silu(Span<float> x)
    {
        for (int i = 0; i < x.Length; i++) x[i] = x[i] / (1f + MathF.Exp(-x[i]));
    }

    /// <summary>log(1 + e^x), linear above 20 as ggml computes it.</summary>
    public static float Softplus(float x) => x > 20f ? x : MathF.Log(1f + MathF.Exp(x));

    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
}
