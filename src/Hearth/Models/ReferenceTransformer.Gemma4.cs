using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>Gemma 4's per-layer input embeddings and its experts beside the dense feed-forward, one token at a time.</summary>
internal sealed partial class ReferenceTransformer
{
    // One input per layer (// [n_layer * n_pl]): (rms_norm(proj · x / sqrt(n_embd)) · proj_norm + sqrt(n_pl) · per_layer_token_embd[token]) / sqrt(2),
    // each layer's slice normed on its own; x is the scaled token embedding.
    private float[] PerLayerInputs(int token, float[] x)
    {
        var p = _w.PerLayer!;
        int width = _c.PerLayerEmbeddingLength, layers = _c.BlockCount;
        var embedded = new float[width * layers];
        p.TokenEmbedding.DequantizeRow(token, embedded);
        var projected = MatVec(p.ModelProjection, x, null);
        float inv = 1f / MathF.Sqrt(_c.EmbeddingLength);
        for (int i = 0; i < projected.Length; i++) projected[i] *= inv;
        var result = new float[width * layers];
        for (int l = 0; l < layers; l++)
        {
            var slice = projected.AsSpan(l * width, width).ToArray();
            var normed = Norm(slice, p.ProjectionNorm);
            for (int i = 0; i < width; i++)
                result[l * width + i] = (normed[i] + MathF.Sqrt(width) * embedded[l * width + i]) / MathF.Sqrt(2f);
        }
        return result;
    }

    // x += post_norm(proj_l · (gelu(gate_l · x) ⊙ input_l)), after the layer's feed-forward residual.
    private void AddPerLayerEmbedding(int l, LayerWeights L, float[] inputs, float[] x)
    {
        int width = _c.PerLayerEmbeddingLength;
        var g = MatVec(L.PerLayerGate!, x, null);
        for (int i = 0; i < width; i++) g[i] = GeluTanh.Reference(g[i]) * inputs[l * width + i];
        var o = Norm(MatVec(L.PerLayerProjection!, g, null), L.PerLayerPostNorm!);
        for (int i = 0; i < x.Length; i++) x[i] += o[i];
    }

    // post_ffw_norm_1(dense(xb)) + post_ffw_norm_2(experts(pre_ffw_norm_2(x))), routed by rms_norm(x) · router_norm;
    // x is the residual stream, xb its ffn_norm.
    private float[] ExpertsBesideDense(LayerWeights L, float[] x, float[] xb)
    {
        var e = L.Experts!;
        var dense = Norm(FeedForward(L.Gate!, L.Up!, L.Down!, xb), e.DensePostNorm!);
        var experts = Norm(Experts(e, Norm(x, e.PreNorm!), Norm(x, e.RouterNorm!)), e.PostNorm!);
        for (int i = 0; i < dense.Length; i++) dense[i] += experts[i];
        return dense;
    }
}
