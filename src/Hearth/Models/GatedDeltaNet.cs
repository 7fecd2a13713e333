using System.Numerics.Tensors;
using Hearth.Inference;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// Gated DeltaNet, the linear-attention token mixer of Qwen3.5's recurrent layers (llama.cpp's
/// build_layer_attn_linear and ggml_gated_delta_net): attn_qkv gives q | k | v, which go through a causal depth-wise
/// convolution (ssm.conv_kernel taps, window in the sequence's <see cref="RecurrentState"/>) and SiLU; q and k are
/// L2-normalised per head; per token and value head h (reading key head h mod n_k_heads) with β = sigmoid(ssm_beta·x)
/// and g = softplus(ssm_alpha·x + dt_bias) · A, the state S_h (S × S) follows the delta rule
/// (<see cref="RecurrentKernels.DeltaRuleStep"/>) and o_h = S_hᵀ q / sqrt(S); the output is RMSNorm(o_h) ⊙ SiLU(z_h)
/// with z = attn_gate·x, then ssm_out. This is the recurrent form, exact for any batch: prompt tokens are processed one
/// after another per head, heads (and channels of the convolution) split across the worker pool.
/// </summary>
internal sealed class GatedDeltaNet
{
    private readonly Transformer _model;
    private readonly ModelConfig _c;
    private readonly RowJob _rows = new();
    private readonly Action<int, int> _convChannels;
    private readonly Action<int, int> _prepareTokens;
    private readonly Action<int, int> _deltaHeads;
    private ForwardBuffers _buf = null!;
    private RecurrentLayerWeights _w = null!;
    private int _layer;
    private int _n;

    public GatedDeltaNet(Transformer model)
    {
        _model = model;
        _c = model.Config;
        _convChannels = ConvChannels;
        _prepareTokens = PrepareTokens;
        _deltaHeads = DeltaHeads;
    }

    /// <summary>The mixer of layer <paramref name="layer"/> for <paramref name="n"/> tokens: input in Xb (normed), output projection into Xb.</summary>
    public void Forward(int layer, LayerWeights L, int n, ForwardBuffers buf, WorkerPool pool)
    {
        var c = _c;
        var w = L.Recurrent!;
        if (w.FusedQkvz)
        {
            _model.Linear(w.InProj, buf.Xb, n, buf.RecurrentFused, buf, pool);
            for (int t = 0; t < n; t++) SplitQkvz(t, buf);
        }
        else
        {
            _model.Linear(buf.Xb, n, buf, pool, w.InProj, buf.RecurrentIn, w.Gate!, buf.RecurrentGate);
        }
        if (w.BetaAlpha != null)
        {
            _model.Linear(w.BetaAlpha, buf.Xb, n, buf.RecurrentFused, buf, pool);
            for (int t = 0; t < n; t++) SplitBetaAlpha(t, buf);
        }
        else
        {
            _model.Linear(buf.Xb, n, buf, pool, w.Beta!, buf.RecurrentBeta, w.Alpha!, buf.RecurrentDecay);
        }
        _buf = buf;
        _w = w;
        _layer = layer;
        _n = n;
        int channels = c.ConvChannels, s = c.DeltaHeadDim, heads = c.DeltaValueHeads;
        _rows.ForRows(pool, channels, 8L * n * channels * c.ConvKernel, _convChannels);
        _rows.ForRows(pool, n, 8L * n * channels, _prepareTokens);
        _rows.ForRows(pool, heads, 8L * n * heads * s * s, _deltaHeads);
        _model.Linear(L.Wo, buf.RecurrentOut, n, buf.Xb, buf, pool);
    }

    // Qwen3-Next's ssm_in row t: per key head g, [q (S), k (S), v (r·S), z (r·S)] → q | k | v in RecurrentIn, z in RecurrentGate.
    private void SplitQkvz(int t, ForwardBuffers buf)
    {
        var c = _c;
        int s = c.DeltaHeadDim, kw = c.DeltaKeyWidth, r = c.DeltaValueHeads / c.DeltaKeyHeads, ch = c.ConvChannels, inner = c.DeltaValueWidth;
        int group = 2 * s + 2 * r * s;
        var src = buf.RecurrentFused.AsSpan(t * (ch + inner), ch + inner);
        var qkv = buf.RecurrentIn.AsSpan(t * ch, ch);
        var z = buf.RecurrentGate.AsSpan(t * inner, inner);
        for (int g = 0; g < c.DeltaKeyHeads; g++)
        {
            var part = src.Slice(g * group, group);
            part.Slice(0, s).CopyTo(qkv.Slice(g * s, s));
            part.Slice(s, s).CopyTo(qkv.Slice(kw + g * s, s));
            part.Slice(2 * s, r * s).CopyTo(qkv.Slice(2 * kw + g * r * s, r * s));
            part.Slice(2 * s + r * s, r * s).CopyTo(z.Slice(g * r * s, r * s));
        }
    }

    // Qwen3-Next's ssm_ba row t: per key head g, [β (r), α (r)] → RecurrentBeta, RecurrentDecay (value heads g·r..).
    private void SplitBetaAlpha(int t, ForwardBuffers buf)
    {
        var c = _c;
        int heads = c.DeltaValueHeads, r = heads / c.DeltaKeyHeads;
        var src = buf.RecurrentFused.AsSpan(t * 2 * heads, 2 * heads);
        for (int g = 0; g < c.DeltaKeyHeads; g++)
        {
            src.Slice(g * 2 * r, r).CopyTo(buf.RecurrentBeta.AsSpan(t * heads + g * r, r));
            src.Slice(g * 2 * r + r, r).CopyTo(buf.RecurrentDecay.AsSpan(t * heads + g * r, r));
        }
    }

    // Channels [c0, c1) of every token: the convolution step, then SiLU.
    private void ConvChannels(int c0, int c1)
    {
        int ch = _c.ConvChannels;
        var buf = _buf;
        for (int t = 0; t < _n; t++)
        {
            var y = buf.RecurrentConv.AsSpan(t * ch, ch);
            RecurrentKernels.ConvStep(buf.TokenState[t]!.Conv(_layer), buf.RecurrentIn.AsSpan(t * ch, ch), _w.ConvTaps, y, ch, c0, c1);
            RecurrentKernels.Silu(y.Slice(c0, c1 - c0));
        }
    }

    // Tokens [t0, t1): L2-normalised q/k heads, β = sigmoid, decay = exp(softplus(alpha + dt_bias) · A).
    private void PrepareTokens(int t0, int t1)
    {
        var c = _c;
        int ch = c.ConvChannels, s = c.DeltaHeadDim, kw = c.DeltaKeyWidth, heads = c.DeltaValueHeads;
        var buf = _buf;
        for (int t = t0; t < t1; t++)
        {
            var qkv = buf.RecurrentConv.AsSpan(t * ch, ch);
            for (int h = 0; h < c.DeltaKeyHeads; h++)
            {
                RecurrentKernels.L2Normalize(qkv.Slice(h * s, s), c.RmsNormEps);
                RecurrentKernels.L2Normalize(qkv.Slice(kw + h * s, s), c.RmsNormEps);
            }
            for (int h = 0; h < heads; h++)
            {
                int i = t * heads + h;
                buf.RecurrentBeta[i] = RecurrentKernels.Sigmoid(buf.RecurrentBeta[i]);
                buf.RecurrentDecay[i] = MathF.Exp(RecurrentKernels.Softplus(buf.RecurrentDecay[i] + _w.DtBias![h]) * _w.A![h]);
            }
        }
    }

    // Value heads [h0, h1) of every token in order: the delta rule on the token's sequence state, then the gated norm.
    private void DeltaHeads(int h0, int h1)
    {
        var c = _c;
        int ch = c.ConvChannels, s = c.DeltaHeadDim, kw = c.DeltaKeyWidth, heads = c.DeltaValueHeads, inner = c.DeltaValueWidth;
        float scale = 1f / MathF.Sqrt(s);
        var buf = _buf;
        for (int t = 0; t < _n; t++)
        {
            var qkv = buf.RecurrentConv.AsSpan(t * ch, ch);
            var state = buf.TokenState[t]!.Matrix(_layer);
            for (int h = h0; h < h1; h++)
            {
                int kh = c.DeltaKeyHeadOf(h);
                var o = buf.RecurrentOut.AsSpan(t * inner + h * s, s);
                RecurrentKernels.DeltaRuleStep(state.Slice(h * s * s, s * s), qkv.Slice(kh * s, s), qkv.Slice(kw + kh * s, s),
                    qkv.Slice(2 * kw + h * s, s), buf.RecurrentDecay[t * heads + h], buf.RecurrentBeta[t * heads + h], scale, o);
                VectorOps.RmsNorm(o, _w.Norm!, c.RmsNormEps, o);
                var z = buf.RecurrentGate.AsSpan(t * inner + h * s, s);
                RecurrentKernels.Silu(z);
                TensorPrimitives.Multiply(o, z, o);
            }
        }
    }
}
