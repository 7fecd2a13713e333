using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>Recurrent token mixers, one token at a time, written from their definitions (LFM2's gated short
/// convolution, Gated DeltaNet), with the reference's own state.</summary>
internal sealed partial class ReferenceTransformer
{
    private float[]?[]? _convWindows;  // per recurrent layer: [kernel - 1, channels]
    private float[]?[]? _deltaStates;  // per Gated DeltaNet layer: [v_heads, S, S]

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
        return DeltaNet(l, w, xb, proj, window);
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
