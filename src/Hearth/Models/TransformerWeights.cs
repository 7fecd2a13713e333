using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>All weights of a decoder-only transformer, located by llama.cpp's tensor names and checked against the config.</summary>
internal sealed unsafe class TransformerWeights
{
    private TransformerWeights(WeightMatrix embedding, float[] outputNorm, WeightMatrix output, LayerWeights[] layers, float[]? ropeFreqs)
    {
        TokenEmbedding = embedding;
        OutputNorm = outputNorm;
        Output = output;
        Layers = layers;
        RopeFreqFactors = ropeFreqs;
    }

    public WeightMatrix TokenEmbedding { get; }         // [n_vocab rows of n_embd]

    public float[] OutputNorm { get; }                  // [n_embd]

    /// <summary>The output projection, or the token embedding when the model ties them.</summary>
    public WeightMatrix Output { get; }                 // [n_embd] -> [n_vocab]

    public LayerWeights[] Layers { get; }

    public float[]? RopeFreqFactors { get; }            // [rope_dims / 2], Llama 3.1 style

    public static TransformerWeights Load(GgufFile file, ModelConfig c)
    {
        WeightMatrix Matrix(string name, int cols, int rows)
        {
            var info = Find(file, name);
            if (info.Columns != cols || info.Rows != rows)
            {
                throw new InvalidDataException(
                    $"Tensor '{name}' has shape [{string.Join(", ", info.Dimensions)}]; expected [{cols}, {rows}] from the model's metadata.");
            }
            if (!TensorTypes.IsSupported(info.Type) || !TensorTypes.Get(info.Type).IsWeightType)
            {
                throw new NotSupportedException(
                    $"Tensor '{name}' has type {info.Type}, which Hearth does not support; supported types: {string.Join(", ", TensorTypes.Supported)}.");
            }
            return new WeightMatrix(info, file.GetTensorPointer(info));
        }

        float[]? OptionalVector(string name, int n) => file.FindTensor(name) is null ? null : Vector(name, n);

        float[] Vector(string name, int n)
        {
            var info = Find(file, name);
            if (info.ElementCount != n)
            {
                throw new InvalidDataException($"Tensor '{name}' has {info.ElementCount} elements; expected {n}.");
            }
            var v = new float[n];
            TensorTypes.Get(info.Type).Dequantize(file.GetTensorData(info), v);
            return v;
        }

        int nEmbd = c.EmbeddingLength;
        int qDim = c.HeadCount * c.HeadDim, kDim = c.HeadCountKv * c.HeadDim, vDim = c.HeadCountKv * c.ValueHeadDim;
        var embedding = Matrix("token_embd.weight", nEmbd, c.VocabSize);
        var output = file.FindTensor("output.weight") is null ? embedding : Matrix("output.weight", nEmbd, c.VocabSize);
        var layers = new LayerWeights[c.BlockCount];
        for (int i = 0; i < layers.Length; i++)
        {
            string p = $"blk.{i}.";
            layers[i] = new LayerWeights
            {
                AttnNorm = Vector(p + "attn_norm.weight", nEmbd),
                Wq = Matrix(p + "attn_q.weight", nEmbd, qDim),
                Wk = Matrix(p + "attn_k.weight", nEmbd, kDim),
                Wv = Matrix(p + "attn_v.weight", nEmbd, vDim),
                Wo = Matrix(p + "attn_output.weight", c.HeadCount * c.ValueHeadDim, nEmbd),
                Bq = OptionalVector(p + "attn_q.bias", qDim),
                Bk = OptionalVector(p + "attn_k.bias", kDim),
                Bv = OptionalVector(p + "attn_v.bias", vDim),
                QNorm = OptionalVector(p + "attn_q_norm.weight", c.HeadDim),
                KNorm = OptionalVector(p + "attn_k_norm.weight", c.HeadDim),
                FfnNorm = Vector(p + "ffn_norm.weight", nEmbd),
                Gate = Matrix(p + "ffn_gate.weight", nEmbd, c.FeedForwardLength),
                Up = Matrix(p + "ffn_up.weight", nEmbd, c.FeedForwardLength),
                Down = Matrix(p + "ffn_down.weight", c.FeedForwardLength, nEmbd),
            };
        }
        return new TransformerWeights(embedding, Vector("output_norm.weight", nEmbd), output, layers,
            OptionalVector("rope_freqs.weight", c.RopeDimensionCount / 2));
    }

    private static GgufTensorInfo Find(GgufFile file, string name) =>
        file.FindTensor(name) ?? throw new InvalidDataException($"The model is missing the required tensor '{name}'.");
}
