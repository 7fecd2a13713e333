using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>All weights of a decoder-only transformer, located by llama.cpp's tensor names and checked against the config.</summary>
internal sealed unsafe class TransformerWeights
{
    private readonly GgufFile _file;

    private TransformerWeights(GgufFile file) => _file = file;

    public WeightMatrix TokenEmbedding { get; private set; } = null!;  // [n_vocab rows of n_embd]

    public float[] OutputNorm { get; private set; } = [];             // [n_embd]

    /// <summary>The output projection, or the token embedding when the model ties them.</summary>
    public WeightMatrix Output { get; private set; } = null!;         // [n_embd] -> [n_vocab]

    public LayerWeights[] Layers { get; private set; } = [];

    public float[]? RopeFreqFactors { get; private set; }             // [rope_dims / 2], Llama 3.1 style

    /// <summary>Per-layer input embeddings (Gemma 4 E2B/E4B); null when the model has none.</summary>
    public PerLayerEmbeddingWeights? PerLayer { get; private set; }

    /// <summary>Phi-3 LongRoPE factors for contexts above the original one (both present or neither).</summary>
    public float[]? RopeFactorsLong { get; private set; }             // [rope_dims / 2]

    /// <summary>Phi-3 LongRoPE factors for contexts up to the original one.</summary>
    public float[]? RopeFactorsShort { get; private set; }            // [rope_dims / 2]

    public static TransformerWeights Load(GgufFile file, ModelConfig c)
    {
        var w = new TransformerWeights(file);
        int nEmbd = c.EmbeddingLength;
        w.TokenEmbedding = w.Matrix("token_embd.weight", nEmbd, c.VocabSize);
        w.Output = file.FindTensor("output.weight") is null ? w.TokenEmbedding : w.Matrix("output.weight", nEmbd, c.VocabSize);
        w.OutputNorm = w.Vector("output_norm.weight", nEmbd);
        w.RopeFreqFactors = w.OptionalVector("rope_freqs.weight", c.RopeDimensionCount / 2);
        w.RopeFactorsLong = w.OptionalVector("rope_factors_long.weight", c.RopeDimensionCount / 2);
        w.RopeFactorsShort = w.OptionalVector("rope_factors_short.weight", c.RopeDimensionCount / 2);
        if ((w.RopeFactorsLong is null) != (w.RopeFactorsShort is null))
        {
            throw new InvalidDataException("The model has only one of rope_factors_long.weight and rope_factors_short.weight; LongRoPE needs both.");
        }
        if (c.PerLayerEmbeddingLength > 0)
        {
            int ple = c.PerLayerEmbeddingLength, all = ple * c.BlockCount;
            w.PerLayer = new PerLayerEmbeddingWeights
            {
                TokenEmbedding = w.Matrix("per_layer_token_embd.weight", all, c.VocabSize),
                ModelProjection = w.Matrix("per_layer_model_proj.weight", nEmbd, all),
                ProjectionNorm = w.Vector("per_layer_proj_norm.weight", ple),
            };
        }
        w.Layers = new LayerWeights[c.BlockCount];
        for (int i = 0; i < w.Layers.Length; i++) w.Layers[i] = w.Layer(c, i);
        return w;
    }

    private LayerWeights Layer(ModelConfig c, int i)
    {
        string p = $"blk.{i}.";
        int nEmbd = c.EmbeddingLength, hd = c.HeadDimOf(i);
        int qDim = c.HeadCount * hd, kDim = c.KvHeadsOf(i) * hd, vDim = c.KvHeadsOf(i) * c.ValueHeadDimOf(i);
        WeightMatrix? wq = null, wk = null, wv = null;
        LatentAttentionWeights? latent = null;
        int attnOut;
        if (c.IsLatentAttention)
        {
            latent = Latent(c, p);
            attnOut = c.HeadCount * c.MlaValueDim;
        }
        else
        {
            if (_file.FindTensor(p + "attn_qkv.weight") != null)
            {
                // Phi-3 stores q, k and v as one matrix; its row ranges are the three projections.
                var qkv = Matrix(p + "attn_qkv.weight", nEmbd, qDim + kDim + vDim);
                wq = qkv.RowRange(0, qDim);
                wk = qkv.RowRange(qDim, kDim);
                wv = qkv.RowRange(qDim + kDim, vDim);
            }
            else
            {
                wq = Matrix(p + "attn_q.weight", nEmbd, qDim);
                // Gemma 4: layers sharing an earlier cache need no key projection; without attn_v values are the keys' projection.
                bool own = c.HasOwnKv(i);
                wk = own || _file.FindTensor(p + "attn_k.weight") != null ? Matrix(p + "attn_k.weight", nEmbd, kDim) : null;
                wv = own && (!c.ValueNorm || _file.FindTensor(p + "attn_v.weight") != null) ? Matrix(p + "attn_v.weight", nEmbd, vDim) : null;
                if (c.ValueNorm && wv is null && own && c.ValueHeadDimOf(i) != hd)
                    throw new InvalidDataException($"Block {i} has no attn_v.weight, so its values come from the keys, but value_length differs from key_length.");
            }
            attnOut = c.HeadCount * c.ValueHeadDimOf(i);
        }

        WeightMatrix? gate = null, up = null, down = null;
        ExpertWeights? experts = null;
        bool expertBlock = c.ExpertCount > 0 && i >= c.LeadingDenseBlockCount
            && (!c.ExpertsBesideDense || _file.FindTensor(p + "ffn_gate_inp.weight") != null);
        if (expertBlock)
        {
            experts = Experts(c, p);
        }
        if (!expertBlock || c.ExpertsBesideDense)
        {
            int ff = c.FeedForwardLengthOf(i);
            if (_file.FindTensor(p + "ffn_gate.weight") is null && _file.FindTensor(p + "ffn_up.weight") is { } upInfo && upInfo.Rows == 2L * ff)
            {
                // Phi-3 stores gate and up as one [n_embd, 2 n_ff] matrix: gate rows first, then up (ggml's swiglu split).
                var fused = Matrix(p + "ffn_up.weight", nEmbd, 2 * ff);
                gate = fused.RowRange(0, ff);
                up = fused.RowRange(ff, ff);
            }
            else
            {
                gate = Matrix(p + "ffn_gate.weight", nEmbd, ff);
                up = Matrix(p + "ffn_up.weight", nEmbd, ff);
            }
            down = Matrix(p + "ffn_down.weight", ff, nEmbd);
        }

        return new LayerWeights
        {
            AttnNorm = Vector(p + "attn_norm.weight", nEmbd),
            Wq = wq,
            Wk = wk,
            Wv = wv,
            Wo = Matrix(p + "attn_output.weight", attnOut, nEmbd),
            Bq = OptionalVector(p + "attn_q.bias", qDim),
            Bk = OptionalVector(p + "attn_k.bias", kDim),
            Bv = OptionalVector(p + "attn_v.bias", vDim),
            QNorm = OptionalVector(p + "attn_q_norm.weight", hd),
            KNorm = OptionalVector(p + "attn_k_norm.weight", hd),
            Latent = latent,
            AttnPostNorm = OptionalVector(p + "post_attention_norm.weight", nEmbd),
            FfnNorm = Vector(p + "ffn_norm.weight", nEmbd),
            Gate = gate,
            Up = up,
            Down = down,
            Experts = experts,
            FfnPostNorm = OptionalVector(p + "post_ffw_norm.weight", nEmbd),
            PerLayerGate = c.PerLayerEmbeddingLength > 0 ? Matrix(p + "inp_gate.weight", nEmbd, c.PerLayerEmbeddingLength) : null,
            PerLayerProjection = c.PerLayerEmbeddingLength > 0 ? Matrix(p + "proj.weight", c.PerLayerEmbeddingLength, nEmbd) : null,
            PerLayerPostNorm = c.PerLayerEmbeddingLength > 0 ? Vector(p + "post_norm.weight", nEmbd) : null,
            OutputScale = OptionalVector(p + "layer_output_scale.weight", 1)?[0] ?? 0f,
        };
    }

    private LatentAttentionWeights Latent(ModelConfig c, string p)
    {
        int nEmbd = c.EmbeddingLength, heads = c.HeadCount, r = c.KvLoraRank, rope = c.RopeDimensionCount;
        int nope = c.MlaKeyDim - rope, v = c.MlaValueDim, qDim = heads * c.MlaKeyDim;
        WeightMatrix? wq = null, wqa = null, wqb = null;
        float[]? qaNorm = null;
        // DeepSeek-V2-Lite projects queries directly; the others go through a low-rank bottleneck.
        if (_file.FindTensor(p + "attn_q.weight") is null)
        {
            if (c.QLoraRank <= 0) throw new InvalidDataException($"Block {p.TrimEnd('.')} has no attn_q and the model states no attention.q_lora_rank for attn_q_a/attn_q_b.");
            wqa = Matrix(p + "attn_q_a.weight", nEmbd, c.QLoraRank);
            qaNorm = Vector(p + "attn_q_a_norm.weight", c.QLoraRank);
            wqb = Matrix(p + "attn_q_b.weight", c.QLoraRank, qDim);
        }
        else
        {
            wq = Matrix(p + "attn_q.weight", nEmbd, qDim);
        }
        var kAbsorb = new WeightMatrix[heads];
        var vDecompress = new WeightMatrix[heads];
        bool transposed = false;
        if (_file.FindTensor(p + "attn_k_b.weight") != null)
        {
            var kb = Tensor3(p + "attn_k_b.weight", nope, r, heads);   // per head: [nope] -> [r]
            var vb = Tensor3(p + "attn_v_b.weight", r, v, heads);      // per head: [r] -> [v]
            kb.CopyTo(kAbsorb, 0);
            vb.CopyTo(vDecompress, 0);
        }
        else
        {
            // Older files keep kv_b whole: per head, nope key rows then v value rows, each of kv_lora_rank columns.
            var kvb = Matrix(p + "attn_kv_b.weight", r, heads * (nope + v));
            for (int h = 0; h < heads; h++)
            {
                kAbsorb[h] = kvb.RowRange(h * (nope + v), nope);
                vDecompress[h] = kvb.RowRange(h * (nope + v) + nope, v);
            }
            transposed = true;
        }
        return new LatentAttentionWeights
        {
            Wq = wq,
            WqA = wqa,
            QANorm = qaNorm,
            WqB = wqb,
            WkvA = Matrix(p + "attn_kv_a_mqa.weight", nEmbd, r + rope),
            KvANorm = Vector(p + "attn_kv_a_norm.weight", r),
            KAbsorb = kAbsorb,
            KAbsorbTransposed = transposed,
            VDecompress = vDecompress,
        };
    }

    private ExpertWeights Experts(ModelConfig c, string p)
    {
        int nEmbd = c.EmbeddingLength, n = c.ExpertCount, ff = c.ExpertFeedForwardLength;
        int shared = ff * c.ExpertSharedCount;
        WeightMatrix[] gate, up;
        if (_file.FindTensor(p + "ffn_gate_up_exps.weight") != null)
        {
            // Gate and up fused per expert: the first n_ff_exp rows of each slice are the gate, the next the up.
            var fused = Tensor3(p + "ffn_gate_up_exps.weight", nEmbd, 2 * ff, n);
            gate = Array.ConvertAll(fused, m => m.RowRange(0, ff));
            up = Array.ConvertAll(fused, m => m.RowRange(ff, ff));
        }
        else
        {
            gate = Tensor3(p + "ffn_gate_exps.weight", nEmbd, ff, n);
            up = Tensor3(p + "ffn_up_exps.weight", nEmbd, ff, n);
        }
        float[]? routerNorm = null;
        if (c.ExpertsBesideDense)
        {
            routerNorm = Vector(p + "ffn_gate_inp.scale", nEmbd);
            float inv = 1f / MathF.Sqrt(nEmbd);
            for (int k = 0; k < nEmbd; k++) routerNorm[k] *= inv;
        }
        return new ExpertWeights
        {
            Router = Matrix(p + "ffn_gate_inp.weight", nEmbd, n),
            SelectionBias = OptionalVector(p + "exp_probs_b.bias", n),
            Gate = gate,
            Up = up,
            Down = Tensor3(p + "ffn_down_exps.weight", ff, nEmbd, n),
            DownScale = OptionalVector(p + "ffn_down_exps.scale", n),
            RouterNorm = routerNorm,
            PreNorm = c.ExpertsBesideDense ? Vector(p + "pre_ffw_norm_2.weight", nEmbd) : null,
            PostNorm = c.ExpertsBesideDense ? Vector(p + "post_ffw_norm_2.weight", nEmbd) : null,
            DensePostNorm = c.ExpertsBesideDense ? Vector(p + "post_ffw_norm_1.weight", nEmbd) : null,
            SharedGate = shared > 0 ? Matrix(p + "ffn_gate_shexp.weight", nEmbd, shared) : null,
            SharedUp = shared > 0 ? Matrix(p + "ffn_up_shexp.weight", nEmbd, shared) : null,
            SharedDown = shared > 0 ? Matrix(p + "ffn_down_shexp.weight", shared, nEmbd) : null,
        };
    }

    private WeightMatrix Matrix(string name, int cols, int rows)
    {
        var info = Find(name);
        if (info.Columns != cols || info.Rows != rows)
        {
            throw new InvalidDataException(
                $"Tensor '{name}' has shape [{string.Join(", ", info.Dimensions)}]; expected [{cols}, {rows}] from the model's metadata.");
        }
        CheckType(info);
        return new WeightMatrix(info, _file.GetTensorPointer(info));
    }

    // A [cols, rows, slices] tensor as one matrix per slice (expert or head), each a view in place.
    private WeightMatrix[] Tensor3(string name, int cols, int rows, int slices)
    {
        var info = Find(name);
        var d = info.Dimensions;
        if (d.Count != 3 || d[0] != cols || d[1] != rows || d[2] != slices)
        {
            throw new InvalidDataException(
                $"Tensor '{name}' has shape [{string.Join(", ", d)}]; expected [{cols}, {rows}, {slices}] from the model's metadata.");
        }
        CheckType(info);
        byte* data = _file.GetTensorPointer(info);
        var result = new WeightMatrix[slices];
        for (int s = 0; s < slices; s++) result[s] = WeightMatrix.Slice(info, data, s);
        return result;
    }

    private static void CheckType(GgufTensorInfo info)
    {
        if (!TensorTypes.IsSupported(info.Type) || !TensorTypes.Get(info.Type).IsWeightType)
        {
            throw new NotSupportedException(
                $"Tensor '{info.Name}' has type {info.Type}, which Hearth does not support; supported types: {string.Join(", ", TensorTypes.Supported)}.");
        }
    }

    private float[]? OptionalVector(string name, int n) => _file.FindTensor(name) is null ? null : Vector(name, n);

    private float[] Vector(string name, int n)
    {
        var info = Find(name);
        if (info.ElementCount != n)
        {
            throw new InvalidDataException($"Tensor '{name}' has {info.ElementCount} elements; expected {n}.");
        }
        var v = new float[n];
        TensorTypes.Get(info.Type).Dequantize(_file.GetTensorData(info), v);
        return v;
    }

    private GgufTensorInfo Find(string name) =>
        _file.FindTensor(name) ?? throw new InvalidDataException($"The model is missing the required tensor '{name}'.");
}
