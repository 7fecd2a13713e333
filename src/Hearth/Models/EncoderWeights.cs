using Hearth.Gguf;

namespace Hearth.Models;

/// <summary>One block of a BERT-family encoder (post-norm: attention, add, LayerNorm; feed-forward, add, LayerNorm).</summary>
internal sealed class EncoderLayerWeights
{
    public required WeightMatrix Wq { get; init; }        // [n_embd] -> [n_embd]
    public required WeightMatrix Wk { get; init; }        // [n_embd] -> [n_embd_kv]
    public required WeightMatrix Wv { get; init; }        // [n_embd] -> [n_embd_kv]
    public float[]? Bq { get; init; }
    public float[]? Bk { get; init; }
    public float[]? Bv { get; init; }
    public required WeightMatrix Wo { get; init; }        // [n_embd] -> [n_embd]
    public float[]? Bo { get; init; }
    public required float[] AttnOutNorm { get; init; }    // [n_embd] LayerNorm weight and bias
    public required float[] AttnOutNormBias { get; init; }
    public WeightMatrix? Up { get; init; }                // [n_embd] -> [n_ff]
    public float[]? UpBias { get; init; }
    public WeightMatrix? Gate { get; init; }              // nomic-bert: SiLU(gate) · up
    public WeightMatrix? Down { get; init; }              // [n_ff] -> [n_embd]
    public float[]? DownBias { get; init; }
    public WeightMatrix? Router { get; init; }            // nomic-bert-moe: [n_embd] -> [n_expert]
    public WeightMatrix[]? UpExperts { get; init; }       // per expert [n_embd] -> [n_ff]
    public WeightMatrix[]? DownExperts { get; init; }     // per expert [n_ff] -> [n_embd]
    public required float[] OutNorm { get; init; }        // [n_embd]
    public required float[] OutNormBias { get; init; }
}

/// <summary>All weights of a BERT-family encoder, by llama.cpp's tensor names, checked against the config.</summary>
internal sealed class EncoderWeights
{
    public required WeightMatrix TokenEmbedding { get; init; }   // [n_vocab rows of n_embd]
    public float[]? TypeEmbedding { get; init; }                 // row 0 of token_types: llama.cpp feeds type 0 only
    public WeightMatrix? PositionEmbedding { get; init; }        // [n_ctx_train rows of n_embd] (bert only)
    public required float[] EmbeddingNorm { get; init; }         // [n_embd]
    public required float[] EmbeddingNormBias { get; init; }
    public required EncoderLayerWeights[] Layers { get; init; }
    public WeightMatrix? Cls { get; init; }                      // rank head: dense [n_embd] -> [n_embd], then tanh
    public float[]? ClsBias { get; init; }
    public WeightMatrix? ClsOut { get; init; }                   // [n_embd] -> [n_cls_out]
    public float[]? ClsOutBias { get; init; }

    public static EncoderWeights Load(GgufFile file, ModelConfig c, bool absolutePositions, bool gatedFeedForward)
    {
        var t = new TensorLoader(file);
        int d = c.EmbeddingLength, kv = c.HeadCountKv * c.HeadDim, ff = c.FeedForwardLength;
        float[]? type0 = null;
        if (t.Has("token_types.weight"))
        {
            var types = t.Find("token_types.weight");
            if (types.Columns != d) throw new ModelConfigurationException($"Tensor 'token_types.weight' has rows of {types.Columns}; expected {d}.");
            var all = t.Vector("token_types.weight", checked((int)types.ElementCount));
            type0 = all.AsSpan(0, d).ToArray();
        }
        var layers = new EncoderLayerWeights[c.BlockCount];
        for (int i = 0; i < layers.Length; i++)
        {
            string p = $"blk.{i}.";
            WeightMatrix wq, wk, wv;
            float[]? bq = null, bk = null, bv = null;
            if (t.Has(p + "attn_qkv.weight"))
            {
                var qkv = t.Matrix(p + "attn_qkv.weight", d, d + 2 * kv);
                (wq, wk, wv) = (qkv.RowRange(0, d), qkv.RowRange(d, kv), qkv.RowRange(d + kv, kv));
                if (t.OptionalVector(p + "attn_qkv.bias", d + 2 * kv) is { } b)
                {
                    (bq, bk, bv) = (b[..d], b[d..(d + kv)], b[(d + kv)..]);
                }
            }
            else
            {
                (wq, wk, wv) = (t.Matrix(p + "attn_q.weight", d, d), t.Matrix(p + "attn_k.weight", d, kv), t.Matrix(p + "attn_v.weight", d, kv));
                (bq, bk, bv) = (t.OptionalVector(p + "attn_q.bias", d), t.OptionalVector(p + "attn_k.bias", kv), t.OptionalVector(p + "attn_v.bias", kv));
            }
            bool moe = c.MoeEveryNLayers > 0 && i % c.MoeEveryNLayers == 1;
            layers[i] = new EncoderLayerWeights
            {
                Wq = wq, Wk = wk, Wv = wv, Bq = bq, Bk = bk, Bv = bv,
                Wo = t.Matrix(p + "attn_output.weight", d, d),
                Bo = t.OptionalVector(p + "attn_output.bias", d),
                AttnOutNorm = t.Vector(p + "attn_output_norm.weight", d),
                AttnOutNormBias = t.Vector(p + "attn_output_norm.bias", d),
                Up = moe ? null : t.Matrix(p + "ffn_up.weight", d, ff),
                UpBias = moe ? null : t.OptionalVector(p + "ffn_up.bias", ff),
                Gate = moe || !gatedFeedForward ? null : t.Matrix(p + "ffn_gate.weight", d, ff),
                Down = moe ? null : t.Matrix(p + "ffn_down.weight", ff, d),
                DownBias = moe ? null : t.OptionalVector(p + "ffn_down.bias", d),
                Router = moe ? t.Matrix(p + "ffn_gate_inp.weight", d, c.ExpertCount) : null,
                UpExperts = moe ? t.Tensor3(p + "ffn_up_exps.weight", d, ff, c.ExpertCount) : null,
                DownExperts = moe ? t.Tensor3(p + "ffn_down_exps.weight", ff, d, c.ExpertCount) : null,
                OutNorm = t.Vector(p + "layer_output_norm.weight", d),
                OutNormBias = t.Vector(p + "layer_output_norm.bias", d),
            };
        }
        return new EncoderWeights
        {
            TokenEmbedding = t.Matrix("token_embd.weight", d, c.VocabSize),
            TypeEmbedding = type0,
            PositionEmbedding = absolutePositions ? t.Matrix("position_embd.weight", d, c.ContextLength) : null,
            EmbeddingNorm = t.Vector("token_embd_norm.weight", d),
            EmbeddingNormBias = t.Vector("token_embd_norm.bias", d),
            Layers = layers,
            Cls = t.OptionalMatrix("cls.weight", d, d),
            ClsBias = t.OptionalVector("cls.bias", d),
            ClsOut = t.OptionalMatrix("cls.output.weight", d, c.ClassifierOutputs),
            ClsOutBias = t.OptionalVector("cls.output.bias", c.ClassifierOutputs),
        };
    }
}
