using System.Numerics.Tensors;
using Hearth.Inference;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// Mamba-2, the token mixer of Granite 4.0 H's recurrent layers (llama.cpp's build_mamba2_layer, ggml_ssm_conv and
/// ggml_ssm_scan): ssm_in gives per token z (d_inner) | x B C (d_inner + 2 · groups · N) | dt (one per head); x B C go
/// through a causal depth-wise convolution (ssm.conv_kernel taps, window in the sequence's <see cref="RecurrentState"/>)
/// plus its optional bias, then SiLU. Per head h (of d_inner / heads channels, reading the B and C of group
/// h / (heads / groups)) with Δ = softplus(dt + dt_bias) and the scalar decay exp(Δ · A) (A = ssm_a = −exp(A_log)), every
/// channel's state row of N follows <see cref="RecurrentKernels.SsmScanStep"/> and y = s · C + D · x; then
/// y ⊙ SiLU(z), RMS-normalised over each group's d_inner / groups channels with weight ssm_norm, and ssm_out. This is
/// the recurrent (per-token) form, exact for any batch: each head walks the batch's tokens in order, heads (and
/// convolution channels, then tokens for the gated norm) split across the worker pool.
/// </summary>
internal sealed class Mamba2
{
    private readonly Transformer _model;
    private readonly ModelConfig _c;
    private readonly RowJob _rows = new();
    private readonly Action<int, int> _convChannels;
    private readonly Action<int, int> _scanHeads;
    private readonly Action<int, int> _gateTokens;
    private ForwardBuffers _buf = null!;
    private RecurrentLayerWeights _w = null!;
    private int _layer;
    private int _n;

    public Mamba2(Transformer model)
    {
        _model = model;
        _c = model.Config;
        _convChannels = ConvChannels;
        _scanHeads = ScanHeads;
        _gateTokens = GateTokens;
    }

    /// <summary>The mixer of layer <paramref name="layer"/> for <paramref name="n"/> tokens: input in Xb (normed), output projection into Xb.</summary>
    public void Forward(int layer, LayerWeights L, int n, ForwardBuffers buf, WorkerPool pool)
    {
        var c = _c;
        _model.Linear(L.Recurrent!.InProj, buf.Xb, n, buf.RecurrentIn, buf, pool);
        _buf = buf;
        _w = L.Recurrent;
        _layer = layer;
        _n = n;
        int channels = c.ConvChannels;
        _rows.ForRows(pool, channels, 8L * n * channels * c.ConvKernel, _convChannels);
        _rows.ForRows(pool, c.SsmHeads, 8L * n * c.SsmInner * c.SsmState, _scanHeads);
        _rows.ForRows(pool, n, 16L * n * c.SsmInner, _gateTokens);
        _model.Linear(L.Wo, buf.RecurrentOut, n, buf.Xb, buf, pool);
    }

    // Channels [c0, c1) of x B C for every token: the convolution step, its bias, SiLU.
    private void ConvChannels(int c0, int c1)
    {
        var c = _c;
        int ch = c.ConvChannels, proj = c.SsmInProjWidth;
        var buf = _buf;
        var bias = _w.ConvBias;
        for (int t = 0; t < _n; t++)
        {
            var y = buf.RecurrentConv.AsSpan(t * ch, ch);
            RecurrentKernels.ConvStep(buf.TokenState[t]!.Conv(_layer), buf.RecurrentIn.AsSpan(t * proj + c.SsmInner, ch), _w.ConvTaps, y, ch, c0, c1);
            var part = y.Slice(c0, c1 - c0);
            if (bias != null) TensorPrimitives.Add(part, bias.AsSpan(c0, c1 - c0), part);
            RecurrentKernels.Silu(part);
        }
    }

    // Heads [h0, h1) of every token in order: the selective scan on the token's sequence state, with the D skip.
    private void ScanHeads(int h0, int h1)
    {
        var c = _c;
        int ch = c.ConvChannels, proj = c.SsmInProjWidth, inner = c.SsmInner, ns = c.SsmState, hd = c.SsmHeadDim;
        int perGroup = c.SsmHeads / c.SsmGroups, dtOffset = 2 * inner + 2 * c.SsmGroups * ns;
        var buf = _buf;
        var w = _w;
        for (int t = 0; t < _n; t++)
        {
            var xbc = buf.RecurrentConv.AsSpan(t * ch, ch);
            var state = buf.TokenState[t]!.Matrix(_layer);
            for (int h = h0; h < h1; h++)
            {
                int g = h / perGroup;
                float dt = RecurrentKernels.Softplus(buf.RecurrentIn[t * proj + dtOffset + h] + w.DtBias![h]);
                float decay = MathF.Exp(dt * w.A![h]);
                RecurrentKernels.SsmScanStep(state.Slice(h * hd * ns, hd * ns), xbc.Slice(h * hd, hd), xbc.Slice(inner + g * ns, ns),
                    xbc.Slice(inner + (c.SsmGroups + g) * ns, ns), decay, dt, w.D![h], buf.RecurrentOut.AsSpan(t * inner + h * hd, hd));
            }
        }
    }

    // Tokens [t0, t1): y ⊙ SiLU(z), then the RMS norm of each group's channels.
    private void GateTokens(int t0, int t1)
    {
        var c = _c;
        int proj = c.SsmInProjWidth, inner = c.SsmInner, width = inner / c.SsmGroups;
        var buf = _buf;
        for (int t = t0; t < t1; t++)
        {
            var z = buf.RecurrentIn.AsSpan(t * proj, inner);
            var y = buf.RecurrentOut.AsSpan(t * inner, inner);
            RecurrentKernels.Silu(z);
            TensorPrimitives.Multiply(y, z, y);
            for (int g = 0; g < c.SsmGroups; g++)
            {
                var part = y.Slice(g * width, width);
                VectorOps.RmsNorm(part, _w.Norm!.AsSpan(g * width, width), c.RmsNormEps, part);
            }
        }
    }
}
