using System.Numerics.Tensors;
using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// The classification head of a reranker (rank pooling), applied to the pooled vector as llama.cpp does: an optional
/// dense layer with tanh (<c>cls</c>, BERT-style rerankers; ModernBERT: GELU, then the LayerNorm <c>cls.norm</c>), then an
/// optional projection to the outputs (<c>cls.output</c>), then for Qwen3 rerankers a softmax over those outputs (yes, no).
/// </summary>
internal sealed class ClassifierHead
{
    public WeightMatrix? Dense { get; init; }        // cls: [n_embd] -> [n_embd]
    public float[]? DenseBias { get; init; }
    public WeightMatrix? Output { get; init; }       // cls.output: [n_embd] -> [n_cls_out]
    public float[]? OutputBias { get; init; }
    public bool Softmax { get; init; }

    /// <summary>The pooled vector is the last token's (Qwen3 rerankers), not the first's.</summary>
    public bool ReadsLastToken { get; init; }

    /// <summary>The pooled vector is the mean of the tokens' (ModernBERT rerankers), not the first token's.</summary>
    public bool PoolsMean { get; init; }

    /// <summary>GELU after the dense layer (ModernBERT) instead of tanh.</summary>
    public bool GeluDense { get; init; }

    public float[]? DenseNorm { get; init; }         // cls.norm: LayerNorm weight (no bias) after the activation
    public float NormEps { get; init; }

    /// <summary>A decoder's head (Qwen3-Reranker: cls.output only); a rank-pooling decoder must have one.</summary>
    public static ClassifierHead LoadDecoder(GgufFile file, ModelConfig c, bool lastTokenSoftmax)
    {
        var t = new TensorLoader(file);
        int d = c.EmbeddingLength;
        var head = new ClassifierHead
        {
            Dense = t.OptionalMatrix("cls.weight", d, d),
            DenseBias = t.OptionalVector("cls.bias", d),
            Output = t.OptionalMatrix("cls.output.weight", d, c.ClassifierOutputs),
            OutputBias = t.OptionalVector("cls.output.bias", c.ClassifierOutputs),
            Softmax = lastTokenSoftmax,
            ReadsLastToken = lastTokenSoftmax,
        };
        if (head.Output is null && head.Dense is null)
        {
            throw new ModelConfigurationException(
                $"The file states rank pooling ('{c.Architecture}.pooling_type' = 4) but has no classification head: a reranker needs 'cls.output.weight'.", "cls.output.weight");
        }
        return head;
    }

    /// <summary>The head's outputs for one pooled vector (// [n_embd]).</summary>
    public float[] Apply(float[] pooled)
    {
        var cur = pooled;
        if (Dense != null)
        {
            var y = new float[Dense.Rows];
            MatVec(Dense, cur, y);
            if (DenseBias != null) TensorPrimitives.Add(y, DenseBias, y);
            if (GeluDense) GeluTanh.Apply(y);
            else TensorPrimitives.Tanh(y, y);
            if (DenseNorm != null) VectorOps.LayerNorm(y, DenseNorm, new float[y.Length], NormEps, y);
            cur = y;
        }
        if (Output != null)
        {
            var y = new float[Output.Rows];
            MatVec(Output, cur, y);
            if (OutputBias != null) TensorPrimitives.Add(y, OutputBias, y);
            cur = y;
        }
        if (Softmax) VectorOps.Softmax(cur);
        return cur;
    }

    private static void MatVec(WeightMatrix w, float[] x, float[] y)
    {
        var act = TensorTypes.Get(w.Traits.VecDotType);
        var q = new byte[act.RowBytes(w.Columns)];
        act.Quantize!(x, q);
        for (int r = 0; r < w.Rows; r++) y[r] = w.Traits.VecDot(w.Columns, w.Row(r), q);
    }
}
