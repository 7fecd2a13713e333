using Hearth.Gguf;

namespace Hearth.Models;

/// <summary>The BERT-family variants <see cref="EncoderWeights"/> and <see cref="Encoder"/> serve.</summary>
internal enum EncoderKind
{
    /// <summary>bert: learned absolute positions, GELU feed-forward with biases.</summary>
    Bert,

    /// <summary>nomic-bert: NeoX rotary positions, SiLU-gated feed-forward without biases.</summary>
    NomicBert,

    /// <summary>nomic-bert-moe: rotary positions, GELU feed-forward; every n-th block a softmax-routed GELU mixture of experts.</summary>
    NomicBertMoe,

    /// <summary>jina-bert-v2: ALiBi instead of positions, GELU-gated feed-forward (separate gate or fused in up), optional q/k LayerNorms.</summary>
    JinaBertV2,

    /// <summary>modern-bert: pre-norm blocks with bias-free LayerNorms, rotary positions, symmetric sliding-window local layers, GEGLU.</summary>
    ModernBert,
}

/// <summary>One pre-norm block of ModernBERT: x += Wo·attn(LN(x)); x += down·GEGLU(up·LN(x)). No biases.</summary>
internal sealed class ModernBertLayerWeights
{
    public float[]? AttnNorm { get; init; }               // [n_embd]; block 0 has none (identity)
    public required WeightMatrix Wq { get; init; }        // rows of the fused attn_qkv
    public required WeightMatrix Wk { get; init; }
    public required WeightMatrix Wv { get; init; }
    public required WeightMatrix Wo { get; init; }        // [n_embd] -> [n_embd]
    public required float[] FfnNorm { get; init; }        // [n_embd]
    public required WeightMatrix Up { get; init; }        // [n_embd] -> [2 n_ff]: [gate; up]
    public required WeightMatrix Down { get; init; }      // [n_ff] -> [n_embd]
}

/// <summary>One block of a BERT-family encoder (post-norm: attention, add, LayerNorm; feed-forward, add, LayerNorm).</summary>
internal sealed class EncoderLayerWeights
{
    public required WeightMatrix Wq { get; init; }        // [n_embd] -> [n_embd]
    public required WeightMatrix Wk { get; init; }        // [n_embd] -> [n_embd_kv]
    public required WeightMatrix Wv { get; init; }        // [n_embd] -> [n_embd_kv]
    public float[]? Bq { get; init; }
    public float[]? Bk { get; init; }
    public float[]? Bv { get; init; }
    public float[]? QNorm { get; init; }                  // jina-bert-v2: LayerNorm over all query heads [n_embd]
    public float[]? QNormBias { get; init; }
    public float[]? KNorm { get; init; }                  // [n_embd_kv]
    public float[]? KNormBias { get; init; }
    public required WeightMatrix Wo { get; init; }        // [n_embd] -> [n_embd]
    public float[]? Bo { get; init; }
    public required float[] AttnOutNorm { get; init; }    // [n_embd] LayerNorm weight and bias
    public required float[] AttnOutNormBias { get; init; }
    public float[]? AttnNorm2 { get; init; }              // jina-bert-v2: a second add-and-LayerNorm of the block input
    public float[]? AttnNorm2Bias { get; init; }
    public WeightMatrix? Up { get; init; }                // [n_embd] -> [n_ff] ([2 n_ff] when it holds the gate too)
    public float[]? UpBias { get; init; }
    public bool UpHoldsGate { get; init; }                // jina-bert-v2: up = [gate; up], GEGLU over the halves
    public WeightMatrix? Gate { get; init; }              // nomic-bert: SiLU(gate) · up; jina-bert-v2: GELU(gate) · up
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
    public required EncoderKind Kind { get; init; }
    public required WeightMatrix TokenEmbedding { get; init; }   // [n_vocab rows of n_embd]
    public float[]? TypeEmbedding { get; init; }                 // row 0 of token_types: llama.cpp feeds type 0 only
    public WeightMatrix? PositionEmbedding { get; init; }        // [n_ctx_train rows of n_embd] (bert only)
    public required float[] EmbeddingNorm { get; init; }         // [n_embd]
    public required float[] EmbeddingNormBias { get; init; }
    public required EncoderLayerWeights[] Layers { get; init; }
    public ModernBertLayerWeights[]? ModernLayers { get; init; }   // modern-bert's blocks (Layers is then empty)
    public float[]? OutputNorm { get; init; }                    // modern-bert: final LayerNorm [n_embd]
    public float[]? ClsNorm { get; init; }                       // modern-bert rank head: LayerNorm after the dense layer
    public WeightMatrix? Cls { get; init; }                      // rank head: dense [n_embd] -> [n_embd] (jina: -> [1]), then tanh
    public float[]? ClsBias { get; init; }
    public WeightMatrix? ClsOut { get; init; }                   // [n_embd] -> [n_cls_out]
    public float[]? ClsOutBias { get; init; }

    public static EncoderWeights Load(GgufFile file, ModelConfig c, EncoderKind kind)
    {
        if (kind == EncoderKind.ModernBert) return LoadModernBert(file, c);
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
        else if (kind == EncoderKind.JinaBertV2)
        {
            throw new ModelConfigurationException("The model is missing the required tensor 'token_types.weight'.", "token_types.weight");
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
            bool jina = kind == EncoderKind.JinaBertV2;
            // jina-bert-v2's up holds the gate too when it has 2 n_ff rows and there is no separate gate.
            bool fused = jina && !t.Has(p + "ffn_gate.weight") && t.Has(p + "ffn_up.weight") && t.Find(p + "ffn_up.weight").Rows == 2L * ff;
            int upRows = fused ? 2 * ff : ff;
            layers[i] = new EncoderLayerWeights
            {
                Wq = wq, Wk = wk, Wv = wv, Bq = bq, Bk = bk, Bv = bv,
                QNorm = jina ? t.OptionalVector(p + "attn_q_norm.weight", d) : null,
                QNormBias = jina ? t.OptionalVector(p + "attn_q_norm.bias", d) : null,
                KNorm = jina ? t.OptionalVector(p + "attn_k_norm.weight", kv) : null,
                KNormBias = jina ? t.OptionalVector(p + "attn_k_norm.bias", kv) : null,
                Wo = t.Matrix(p + "attn_output.weight", d, d),
                Bo = t.OptionalVector(p + "attn_output.bias", d),
                AttnOutNorm = t.Vector(p + "attn_output_norm.weight", d),
                AttnOutNormBias = t.Vector(p + "attn_output_norm.bias", d),
                AttnNorm2 = jina ? t.OptionalVector(p + "attn_norm_2.weight", d) : null,
                AttnNorm2Bias = jina ? t.OptionalVector(p + "attn_norm_2.bias", d) : null,
                Up = moe ? null : t.Matrix(p + "ffn_up.weight", d, upRows),
                UpBias = moe ? null : t.OptionalVector(p + "ffn_up.bias", upRows),
                UpHoldsGate = fused,
                Gate = moe ? null : kind == EncoderKind.NomicBert ? t.Matrix(p + "ffn_gate.weight", d, ff) : jina ? t.OptionalMatrix(p + "ffn_gate.weight", d, ff) : null,
                Down = moe ? null : t.Matrix(p + "ffn_down.weight", ff, d),
                DownBias = moe ? null : t.OptionalVector(p + "ffn_down.bias", d),
                Router = moe ? t.Matrix(p + "ffn_gate_inp.weight", d, c.ExpertCount) : null,
                UpExperts = moe ? t.Tensor3(p + "ffn_up_exps.weight", d, ff, c.ExpertCount) : null,
                DownExperts = moe ? t.Tensor3(p + "ffn_down_exps.weight", ff, d, c.ExpertCount) : null,
                OutNorm = t.Vector(p + "layer_output_norm.weight", d),
                OutNormBias = t.Vector(p + "layer_output_norm.bias", d),
            };
        }
        // The dense layer of a rank head maps n_embd to n_embd (BERT rerankers) or straight to one score (jina rerankers).
        long clsRows = t.Has("cls.weight") ? t.Find("cls.weight").Rows : d;
        if (clsRows != 1) clsRows = d;
        return new EncoderWeights
        {
            Kind = kind,
            TokenEmbedding = t.Matrix("token_embd.weight", d, c.VocabSize),
            TypeEmbedding = type0,
            PositionEmbedding = kind == EncoderKind.Bert ? t.Matrix("position_embd.weight", d, c.ContextLength) : null,
            EmbeddingNorm = t.Vector("token_embd_norm.weight", d),
            EmbeddingNormBias = t.Vector("token_embd_norm.bias", d),
            Layers = layers,
            Cls = t.OptionalMatrix("cls.weight", d, clsRows),
            ClsBias = t.OptionalVector("cls.bias", (int)clsRows),
            ClsOut = t.OptionalMatrix("cls.output.weight", clsRows, c.ClassifierOutputs),
            ClsOutBias = t.OptionalVector("cls.output.bias", c.ClassifierOutputs),
        };
    }

    private static EncoderWeights LoadModernBert(GgufFile file, ModelConfig c)
    {
        var t = new TensorLoader(file);
        int d = c.EmbeddingLength, kv = c.HeadCountKv * c.HeadDim, ff = c.FeedForwardLength;
        var layers = new ModernBertLayerWeights[c.BlockCount];
        for (int i = 0; i < layers.Length; i++)
        {
            string p = $"blk.{i}.";
            var qkv = t.Matrix(p + "attn_qkv.weight", d, d + 2 * kv);
            layers[i] = new ModernBertLayerWeights
            {
                AttnNorm = i == 0 ? t.OptionalVector(p + "attn_norm.weight", d) : t.Vector(p + "attn_norm.weight", d),
                Wq = qkv.RowRange(0, d),
                Wk = qkv.RowRange(d, kv),
                Wv = qkv.RowRange(d + kv, kv),
                Wo = t.Matrix(p + "attn_output.weight", d, d),
                FfnNorm = t.Vector(p + "ffn_norm.weight", d),
                Up = t.Matrix(p + "ffn_up.weight", d, 2 * ff),
                Down = t.Matrix(p + "ffn_down.weight", ff, d),
            };
        }
        return new EncoderWeights
        {
            Kind = EncoderKind.ModernBert,
            TokenEmbedding = t.Matrix("token_embd.weight", d, c.VocabSize),
            EmbeddingNorm = t.Vector("token_embd_norm.weight", d),
            EmbeddingNormBias = new float[d],
            Layers = [],
            ModernLayers = layers,
            OutputNorm = t.Vector("output_norm.weight", d),
            Cls = t.OptionalMatrix("cls.weight", d, d),
            ClsNorm = t.OptionalVector("cls.norm.weight", d),
            ClsOut = t.OptionalMatrix("cls.output.weight", d, c.ClassifierOutputs),
            ClsOutBias = t.OptionalVector("cls.output.bias", c.ClassifierOutputs),
        };
    }
}
