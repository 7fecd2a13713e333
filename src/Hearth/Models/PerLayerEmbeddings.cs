using System.Numerics.Tensors;
using Hearth.Inference;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>The model-wide tensors of per-layer input embeddings (Gemma 4 E2B/E4B).</summary>
internal sealed class PerLayerEmbeddingWeights
{
    /// <summary>Each token's row holds one n_embd_per_layer slice per layer, layer by layer.</summary>
    public required WeightMatrix TokenEmbedding { get; init; }   // [n_vocab rows of n_layer * n_embd_per_layer]

    public required WeightMatrix ModelProjection { get; init; }  // [n_embd] -> [n_layer * n_embd_per_layer]

    public required float[] ProjectionNorm { get; init; }        // [n_embd_per_layer]
}

/// <summary>
/// Per-layer input embeddings as llama.cpp's Gemma 4 graph computes them. Before the first layer, each token gets one
/// small input per layer: (rms_norm(proj · x / sqrt(n_embd)) · proj_norm + sqrt(n_pl) · per_layer_token_embd[token]) / sqrt(2),
/// where x is the scaled token embedding. After each layer's feed-forward residual, the residual stream r gains
/// post_norm(proj_l · (gelu(gate_l · r) ⊙ input_l)). Runs on the worker pool through the transformer's projections.
/// </summary>
internal sealed class PerLayerEmbeddings
{
    private readonly Transformer _model;
    private readonly PerLayerEmbeddingWeights _w;
    private readonly int _width;   // n_embd_per_layer
    private readonly int _layers;

    public PerLayerEmbeddings(Transformer model, PerLayerEmbeddingWeights weights)
    {
        _model = model;
        _w = weights;
        _width = model.Config.PerLayerEmbeddingLength;
        _layers = model.Config.BlockCount;
    }

    /// <summary>Each token's per-layer inputs into PerLayerInput, from the tokens and the scaled embeddings in X.</summary>
    public void Prepare(ReadOnlySpan<int> tokens, ForwardBuffers buf, WorkerPool pool)
    {
        var c = _model.Config;
        int n = tokens.Length, all = _width * _layers;
        var input = buf.PerLayerInput.AsSpan(0, n * all);
        for (int t = 0; t < n; t++) _w.TokenEmbedding.DequantizeRow(tokens[t], input.Slice(t * all, all));
        TensorPrimitives.Multiply(input, MathF.Sqrt(_width), input);
        _model.Linear(_w.ModelProjection, buf.X, n, buf.PerLayerProjected, buf, pool);
        var proj = buf.PerLayerProjected.AsSpan(0, n * all);
        TensorPrimitives.Multiply(proj, 1f / MathF.Sqrt(c.EmbeddingLength), proj);
        _model.Rows.RmsNorm(pool, buf.PerLayerProjected, _w.ProjectionNorm, c.RmsNormEps, buf.PerLayerProjected, n * _layers, _width);
        TensorPrimitives.Add(proj, input, input);
        TensorPrimitives.Multiply(input, 1f / MathF.Sqrt(2f), input);
    }

    /// <summary>Adds layer <paramref name="layer"/>'s per-layer embedding block to the residual stream X.</summary>
    public void Apply(int layer, LayerWeights L, int n, ForwardBuffers buf, WorkerPool pool)
    {
        var c = _model.Config;
        int all = _width * _layers, d = c.EmbeddingLength;
        _model.Linear(L.PerLayerGate!, buf.X, n, buf.PerLayerGate, buf, pool);
        for (int t = 0; t < n; t++)
            buf.PerLayerInput.AsSpan(t * all + layer * _width, _width).CopyTo(buf.PerLayerUp.AsSpan(t * _width, _width));
        _model.Rows.Glu(pool, FeedForwardActivation.GeluTanh, buf.PerLayerGate, buf.PerLayerUp, n, _width);
        _model.Linear(L.PerLayerProjection!, buf.PerLayerGate, n, buf.Xb, buf, pool);
        _model.Rows.RmsNorm(pool, buf.Xb, L.PerLayerPostNorm!, c.RmsNormEps, buf.Xb, n, d);
        _model.Rows.Add(pool, buf.X, buf.Xb, n, d);
    }
}
