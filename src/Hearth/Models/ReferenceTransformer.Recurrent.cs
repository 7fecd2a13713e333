using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>Recurrent token mixers, one token at a time, written from their definitions (LFM2's gated short
/// convolution, Gated DeltaNet, Mamba-2), with the reference's own state.</summary>
internal sealed partial class ReferenceTransformer
{
    private float[]?[]? _convWindows;  // per recurrent layer: [kernel - 1, channels]
    private float[]?[]? _deltaStates;  // per Gated DeltaNet layer: [v_heads, S, S]; per Mamba-2 layer: [d_inner, N]

    private float[] Recurrent(int l, RecurrentLayerWeights w, float[] xb)
    {
        var c = _c;
        _convWindows ??= new float[]?[c.BlockCount];
        _deltaStates ??= new float[]?[c.BlockCount];
        var window = _convWindows[l] ??= new float[c.ConvWindow * c.ConvChannels];
        var proj = MatVec(w.InProj, xb, null);
        if (c.Mixer == RecurrentMixer.ShortConv)
        {
            int d = c.EmbeddingLength;
            var bx = new float[d];
            for (int i = 0; i < d; i++) bx[i] = proj[i] * proj[2 * d + i];
            var conv = new float[d];
            RecurrentKernels.ConvStepReference(window, bx, w.ConvTaps, conv, d);
            var y = new float[d];
            for (int i = 0; i < d; i++) y[i] = proj[d + i] * conv[i];
            return y;
        }
        return c.Mixer == RecurrentMixer.Mamba2 ? Mamba2(l, w, proj, window) : DeltaNet(l, w, xb, proj, window);
    }

    // Mamba-2 from its definition: zxBCdt = in_proj · x; xBC = SiLU(conv(xBC) + bias); per head h of group g,
    // Δ = softplus(dt_h + dt_bias_h), s ← exp(Δ A_h) s + Δ x Bᵀ, y = s C + D_h x; y ⊙ SiLU(z); RMS norm per group.
    private float[] Mamba2(int l, RecurrentLayerWeights w, float[] proj, float[] window)
    {
        var c = _c;
        int inner = c.SsmInner, ns = c.SsmState, groups = c.SsmGroups, heads = c.SsmHeads, hd = c.SsmHeadDim, ch = c.ConvChannels;
        var state = _deltaStates![l] ??= new float[inner * ns];
        var xbc = proj.AsSpan(inner, ch).ToArray();
        var conv = new float[ch];
        RecurrentKernels.ConvStepReference(window, xbc, w.ConvTaps, conv, ch);
        for (int i = 0; i < ch; i++)
        {
            float v = conv[i] + (w.ConvBias?[i] ?? 0f);
            conv[i] = v / (1 + MathF.Exp(-v));
        }
        var y = new float[inner];
        for (int h = 0; h < heads; h++)
        {
            int g = h / (heads / groups);
            float raw = proj[2 * inner + 2 * groups * ns + h] + w.DtBias![h];
            float dt = raw > 20 ? raw : MathF.Log(1 + MathF.Exp(raw));
            var m = new float[hd * ns];
            Array.Copy(state, h * hd * ns, m, 0, m.Length);
            var o = new float[hd];
            RecurrentKernels.SsmScanStepReference(m, conv.AsSpan(h * hd, hd).ToArray(), conv.AsSpan(inner + g * ns, ns).ToArray(),
                conv.AsSpan(inner + (groups + g) * ns, ns).ToArray(), MathF.Exp(dt * w.A![h]), dt, w.D![h], o);
            Array.Copy(m, 0, state, h * hd * ns, m.Length);
            Array.Copy(o, 0, y, h * hd, hd);
        }
        for (int i = 0; i < inner; i++)
        {
            float z = proj[i];
            y[i] *= z / (1 + MathF.Exp(-z));
        }
        int width = inner / groups;
        for (int g = 0; g < groups; g++)
        {
            var part = y.AsSpan(g * width, width).ToArray();
            Rms(part, w.Norm!.AsSpan(g * width, width).ToArray(), part);
            Array.Copy(part, 0, y, g * width, width);
        }
        return y;
    }

    private float[] DeltaNet(int l, RecurrentLayerWeights w, float[] xb, float[] qkv, float[] window)
    {
        var c = _c;
        int s = c.DeltaHeadDim, kw = c.DeltaKeyWidth, heads = c.DeltaValueHeads, ch = c.ConvChannels;
        var state = _deltaStates![l] ??= new float[heads * s * s];
        int r = heads / c.DeltaKeyHeads;
        float[] z, beta, alpha;
        if (w.FusedQkvz)
        {
            // ssm_in grouped per key head: [q, k, v (r heads), z (r heads)].
            var fused = qkv;
            qkv = new float[ch];
            z = new float[heads * s];
            for (int g = 0; g < c.DeltaKeyHeads; g++)
            {
                int o = g * (2 * s + 2 * r * s);
                Array.Copy(fused, o, qkv, g * s, s);
                Array.Copy(fused, o + s, qkv, kw + g * s, s);
                Array.Copy(fused, o + 2 * s, qkv, 2 * kw + g * r * s, r * s);
                Array.Copy(fused, o + 2 * s + r * s, z, g * r * s, r * s);
            }
        }
        else
        {
            z = MatVec(w.Gate!, xb, null);
        }
        if (w.BetaAlpha != null)
        {
            var ba = MatVec(w.BetaAlpha, xb, null);
            beta = new float[heads];
            alpha = new float[heads];
            for (int g = 0; g < c.DeltaKeyHeads; g++)
            {
                Array.Copy(ba, g * 2 * r, beta, g * r, r);
                Array.Copy(ba, g * 2 * r + r, alpha, g * r, r);
            }
        }
        else
        {
            beta = MatVec(w.Beta!, xb, null);
            alpha = MatVec(w.Alpha!, xb, null);
        }
        var conv = new float[ch];
        RecurrentKernels.ConvStepReference(window, qkv, w.ConvTaps, conv, ch);
        for (int i = 0; i < ch; i++) conv[i] = conv[i] / (1 + MathF.Exp(-conv[i]));
        var output = new float[heads * s];
        for (int h = 0; h < heads; h++)
        {
            int kh = c.DeltaKeyHeadOf(h);
            var q = conv.AsSpan(kh * s, s).ToArray();
            var k = conv.AsSpan(kw + kh * s, s).ToArray();
            var v = conv.AsSpan(2 * kw + h * s, s).ToArray();
            RecurrentKernels.L2NormalizeReference(q, c.RmsNormEps);
            RecurrentKernels.L2NormalizeReference(k, c.RmsNormEps);
            float a = alpha[h] + w.DtBias![h];
            float g = (a > 20 ? a : MathF.Log(1 + MathF.Exp(a))) * w.A![h];
            var m = new float[s * s];
            Array.Copy(state, h * s * s, m, 0, s * s);
            var o = new float[s];
            RecurrentKernels.DeltaRuleStepReference(m, q, k, v, MathF.Exp(g), 1 / (1 + MathF.Exp(-beta[h])), 1 / MathF.Sqrt(s), o);
            Array.Copy(m, 0, state, h * s * s, s * s);
            Rms(o, w.Norm!, o);
            for (int i = 0; i < s; i++)
            {
                float zi = z[h * s + i];
                output[h * s + i] = o[i] * (zi / (1 + MathF.Exp(-zi)));
            }
        }
        return output;
    }
}
