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

    public static TransformerWeights Load(GgufFile file, ModelConfig c, ArchitectureTraits arch)
    {
        var w = new TransformerWeights(file);
        int nEmbd = c.EmbeddingLength;
        w.TokenEmbedding = w.Matrix("token_embd.weight", nEmbd, c.VocabSize);
        w.Output = file.FindTensor("output.weight") is null ? w.TokenEmbedding : w.Matrix("output.weight", nEmbd, c.VocabSize);
        w.OutputNorm = w.Vector(arch.OutputNormName + ".weight", nEmbd);
        w.RopeFreqFactors = w.OptionalVector("rope_freqs.weight", c.RopeDimensionCount / 2);
        w.RopeFactorsLong = w.OptionalVector("rope_factors_long.weight", c.RopeDimensionCount / 2);
        w.RopeFactorsShort = w.OptionalVector("rope_factors_short.weight", c.RopeDimensionCount / 2);
        if ((w.RopeFactorsLong is null) != (w.RopeFactorsShort is null))
        {
            throw new ModelConfigurationException("The model has only one of rope_factors_long.weight and rope_factors_short.weight; LongRoPE needs both.");
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
        // ModelValidator.CheckBlocks has matched block_count with the blocks present, so this array is the file's size.
        // Qwen3.5's interleaved M-RoPE: for text every position component is the token's position except the fourth,
        // which is 0, so the dimension pairs the sections give that component are not rotated (a factor of +inf).
        if (c.RopeSections != null) w.RopeFreqFactors ??= MropeTextFactors(c.RopeSections, c.RopeDimensionCount / 2);
        w.Layers = new LayerWeights[c.BlockCount];
        for (int i = 0; i < w.Layers.Length; i++) w.Layers[i] = w.Layer(c, arch, i);
        return w;
    }

    // ggml_mrope_cache_init's interleaved (IMROPE) assignment: pair p lies in sector p mod Σsections; sectors cycle
    // t, h, w while within 3 × their section, the rest belong to the fourth component.
    private static float[] MropeTextFactors(int[] s, int pairs)
    {
        int dims = s[0] + s[1] + s[2] + s[3];
        var f = new float[pairs];
        for (int p = 0; p < pairs; p++)
        {
            int sector = p % dims;
            bool positional = (sector % 3 == 1 && sector < 3 * s[1]) || (sector % 3 == 2 && sector < 3 * s[2]) || (sector % 3 == 0 && sector < 3 * s[0]);
            f[p] = positional ? 1f : float.PositiveInfinity;
        }
        return f;
    }

    private LayerWeights Layer(ModelConfig c, ArchitectureTraits arch, int i)
    {
        string p = $"blk.{i}.";
        if (c.IsRecurrentLayer(i)) return RecurrentLayer(c, arch, i);
        int nEmbd = c.EmbeddingLength, hd = c.HeadDimOf(i);
        // 64-bit products compared with the tensors' real shapes: an int product could wrap to match them.
        // (Per layer: Gemma 4's sliding and global layers differ in head sizes and kv heads.)
        long qDim = (long)c.HeadCount * hd, kDim = (long)c.KvHeadsOf(i) * hd, vDim = (long)c.KvHeadsOf(i) * c.ValueHeadDimOf(i);
        WeightMatrix? wq = null, wk = null, wv = null;
        LatentAttentionWeights? latent = null;
        long attnOut;
        if (c.IsLatentAttention)
        {
            latent = Latent(c, p);
            attnOut = (long)c.HeadCount * c.MlaValueDim;
        }
        else
        {
            if (_file.FindTensor(p + "attn_qkv.weight") != null)
            {
                // Phi-3 stores q, k and v as one matrix; its row ranges are the three projections.
                var qkv = Matrix(p + "attn_qkv.weight", nEmbd, qDim + kDim + vDim);
                // The rows matched, so each width fits an int.
                wq = qkv.RowRange(0, (int)qDim);
                wk = qkv.RowRange((int)qDim, (int)kDim);
                wv = qkv.RowRange((int)(qDim + kDim), (int)vDim);
            }
            else
            {
                // Gated attention (Qwen3.5): per head the query rows, then as many gate rows.
                wq = Matrix(p + "attn_q.weight", nEmbd, c.AttentionOutputGate ? 2 * qDim : qDim);
                // Gemma 4: layers sharing an earlier cache need no key projection; without attn_v values are the keys' projection.
                bool own = c.HasOwnKv(i);
                wk = own || _file.FindTensor(p + "attn_k.weight") != null ? Matrix(p + "attn_k.weight", nEmbd, kDim) : null;
                wv = own && (!c.ValueNorm || _file.FindTensor(p + "attn_v.weight") != null) ? Matrix(p + "attn_v.weight", nEmbd, vDim) : null;
                if (c.ValueNorm && wv is null && own && c.ValueHeadDimOf(i) != hd)
                    throw new ModelConfigurationException($"Block {i} has no attn_v.weight, so its values come from the keys, but value_length differs from key_length.", p + "attn_v.weight");
            }
            attnOut = (long)c.HeadCount * c.ValueHeadDimOf(i);
        }

        var (gate, up, down, experts) = FeedForward(c, p, i);

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
            Bo = OptionalVector(p + "attn_output.bias", nEmbd),
            Sinks = arch.AttentionSinks ? Vector(p + "attn_sinks.weight", c.HeadCount) : null,
            QNorm = OptionalVector(p + "attn_q_norm.weight", hd),
            KNorm = OptionalVector(p + "attn_k_norm.weight", hd),
            Latent = latent,
            // (gpt-oss's and Qwen3.5's post_attention_norm is their pre-feed-forward norm, not a Gemma post-norm.)
            AttnPostNorm = arch.FfnNormTensor == "post_attention_norm" ? null : OptionalVector(p + "post_attention_norm.weight", nEmbd),
            FfnNorm = Vector(p + arch.FfnNormTensor + ".weight", nEmbd),
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

    private (WeightMatrix? Gate, WeightMatrix? Up, WeightMatrix? Down, ExpertWeights? Experts) FeedForward(ModelConfig c, string p, int i)
    {
        int nEmbd = c.EmbeddingLength;
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
                var fused = Matrix(p + "ffn_up.weight", nEmbd, 2L * ff);
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
        return (gate, up, down, experts);
    }

    // A hybrid model's recurrent layer: its mixer (LFM2 short convolution, Gated DeltaNet or Mamba-2) and the usual feed-forward.
    private LayerWeights RecurrentLayer(ModelConfig c, ArchitectureTraits arch, int i)
    {
        string p = $"blk.{i}.";
        int nEmbd = c.EmbeddingLength;
        RecurrentLayerWeights mixer;
        WeightMatrix output;
        if (c.Mixer == RecurrentMixer.ShortConv)
        {
            mixer = new RecurrentLayerWeights
            {
                InProj = Matrix(p + "shortconv.in_proj.weight", nEmbd, 3 * nEmbd),
                ConvTaps = ConvTaps(p + "shortconv.conv.weight", c.ConvKernel, nEmbd),
            };
            output = Matrix(p + "shortconv.out_proj.weight", nEmbd, nEmbd);
        }
        else if (c.Mixer == RecurrentMixer.Mamba2)
        {
            int heads = c.SsmHeads;
            mixer = new RecurrentLayerWeights
            {
                InProj = Matrix(p + "ssm_in.weight", nEmbd, c.SsmInProjWidth),
                ConvTaps = ConvTaps(p + "ssm_conv1d.weight", c.ConvKernel, c.ConvChannels),
                ConvBias = OptionalVector(p + "ssm_conv1d.bias", c.ConvChannels),
                DtBias = Vector(p + "ssm_dt.bias", heads),
                A = Vector(p + "ssm_a", heads),
                D = Vector(p + "ssm_d", heads),
                Norm = Vector(p + "ssm_norm.weight", c.SsmInner),
            };
            output = Matrix(p + "ssm_out.weight", c.SsmInner, nEmbd);
        }
        else
        {
            int heads = c.DeltaValueHeads, inner = c.DeltaValueWidth;
            bool fused = _file.FindTensor(p + "attn_qkv.weight") is null && _file.FindTensor(p + "ssm_in.weight") != null;
            bool fusedBa = _file.FindTensor(p + "ssm_ba.weight") != null;
            mixer = new RecurrentLayerWeights
            {
                InProj = fused ? Matrix(p + "ssm_in.weight", nEmbd, c.ConvChannels + inner) : Matrix(p + "attn_qkv.weight", nEmbd, c.ConvChannels),
                FusedQkvz = fused,
                ConvTaps = ConvTaps(p + "ssm_conv1d.weight", c.ConvKernel, c.ConvChannels),
                Gate = fused ? null : Matrix(p + "attn_gate.weight", nEmbd, inner),
                BetaAlpha = fusedBa ? Matrix(p + "ssm_ba.weight", nEmbd, 2 * heads) : null,
                Beta = fusedBa ? null : Matrix(p + "ssm_beta.weight", nEmbd, heads),
                Alpha = fusedBa ? null : Matrix(p + "ssm_alpha.weight", nEmbd, heads),
                DtBias = Vector(p + "ssm_dt.bias", heads),
                A = Vector(p + "ssm_a", heads),
                Norm = Vector(p + "ssm_norm.weight", c.DeltaHeadDim),
            };
            output = Matrix(p + "ssm_out.weight", inner, nEmbd);
        }
        var (gate, up, down, experts) = FeedForward(c, p, i);
        return new LayerWeights
        {
            AttnNorm = Vector(p + "attn_norm.weight", nEmbd),
            Wo = output,
            Recurrent = mixer,
            FfnNorm = Vector(p + arch.FfnNormTensor + ".weight", nEmbd),
            Gate = gate,
            Up = up,
            Down = down,
            Experts = experts,
        };
    }

    // A [kernel, channels] convolution (each channel's taps contiguous, as in the file) transposed to tap-major.
    private float[] ConvTaps(string name, int kernel, int channels)
    {
        var info = Find(name);
        var d = info.Dimensions;
        if (d.Count < 2 || d[0] != kernel || d[1] != channels || info.ElementCount != (long)kernel * channels)
        {
            throw new ModelConfigurationException(
                $"Tensor '{name}' has shape [{string.Join(", ", d)}]; expected [{kernel}, {channels}] from the model's metadata.");
        }
        var raw = Vector(name, kernel * channels);
        var taps = new float[raw.Length];
        for (int ch = 0; ch < channels; ch++)
        {
            for (int k = 0; k < kernel; k++) taps[k * channels + ch] = raw[ch * kernel + k];
        }
        return taps;
    }

    private LatentAttentionWeights Latent(ModelConfig c, string p)
    {
        int nEmbd = c.EmbeddingLength, heads = c.HeadCount, r = c.KvLoraRank, rope = c.RopeDimensionCount;
        int nope = c.MlaKeyDim - rope, v = c.MlaValueDim;
        long qDim = (long)heads * c.MlaKeyDim;
        WeightMatrix? wq = null, wqa = null, wqb = null;
        float[]? qaNorm = null;
        // DeepSeek-V2-Lite projects queries directly; the others go through a low-rank bottleneck.
        if (_file.FindTensor(p + "attn_q.weight") is null)
        {
            if (c.QLoraRank <= 0) throw new ModelConfigurationException($"Block {p.TrimEnd('.')} has no attn_q and the model states no attention.q_lora_rank for attn_q_a/attn_q_b.");
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
            var kvb = Matrix(p + "attn_kv_b.weight", r, (long)heads * ((long)nope + v));
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
            WkvA = Matrix(p + "attn_kv_a_mqa.weight", nEmbd, (long)r + rope),
            KvANorm = Vector(p + "attn_kv_a_norm.weight", r),
            KAbsorb = kAbsorb,
            KAbsorbTransposed = transposed,
            VDecompress = vDecompress,
        };
    }

    private ExpertWeights Experts(ModelConfig c, string p)
    {
        int nEmbd = c.EmbeddingLength, n = c.ExpertCount, ff = c.ExpertFeedForwardLength;
        long shared = c.ExpertSharedFeedForwardLength > 0 ? c.ExpertSharedFeedForwardLength : (long)ff * c.ExpertSharedCount;
        // Qwen3.5-MoE states no shared count: its shared expert is there when the tensors are (n_ff wide by default).
        if (shared == 0 && _file.FindTensor(p + "ffn_up_shexp.weight") != null) shared = c.FeedForwardLength;
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
            RouterBias = OptionalVector(p + "ffn_gate_inp.bias", n),
            GateBias = OptionalRows(p + "ffn_gate_exps.bias", ff, n),
            UpBias = OptionalRows(p + "ffn_up_exps.bias", ff, n),
            DownBias = OptionalRows(p + "ffn_down_exps.bias", nEmbd, n),
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
            SharedExpertGate = OptionalVector(p + "ffn_gate_inp_shexp.weight", nEmbd),
        };
    }

    private WeightMatrix Matrix(string name, long cols, long rows)
    {
        var info = Find(name);
        if (cols > int.MaxValue || rows > int.MaxValue || info.Columns != cols || info.Rows != rows || (info.Dimensions.Count > 2 && info.Dimensions[1] != rows))
        {
            throw new ModelConfigurationException(
                $"Tensor '{name}' has shape [{string.Join(", ", info.Dimensions)}]; expected [{cols}, {rows}] from the model's metadata.", name);
        }
        CheckType(info);
        return new WeightMatrix(info, _file.GetTensorPointer(info));
    }

    // A [cols, rows, slices] tensor as one matrix per slice (expert or head), each a view in place.
    private WeightMatrix[] Tensor3(string name, long cols, long rows, int slices)
    {
        var info = Find(name);
        var d = info.Dimensions;
        if (cols > int.MaxValue || rows > int.MaxValue || d.Count != 3 || d[0] != cols || d[1] != rows || d[2] != slices)
        {
            throw new ModelConfigurationException(
                $"Tensor '{name}' has shape [{string.Join(", ", d)}]; expected [{cols}, {rows}, {slices}] from the model's metadata.", name);
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

    // A [cols, rows] float tensor (per-expert biases) as one float row per expert, or null when absent.
    private float[][]? OptionalRows(string name, int cols, int rows)
    {
        if (_file.FindTensor(name) is null) return null;
        var all = Vector(name, cols * rows);
        var result = new float[rows][];
        for (int r = 0; r < rows; r++) result[r] = all.AsSpan(r * cols, cols).ToArray();
        return result;
    }

    private float[]? OptionalVector(string name, long n) => _file.FindTensor(name) is null ? null : Vector(name, n);

    private float[] Vector(string name, long n)
    {
        var info = Find(name);
        if (info.ElementCount != n || n <= 0 || n > Array.MaxLength)
        {
            throw new ModelConfigurationException($"Tensor '{name}' has {info.ElementCount} elements; expected {n}.", name);
        }
        var v = new float[n];
        TensorTypes.Get(info.Type).Dequantize(_file.GetTensorData(info), v);
        return v;
    }

    private GgufTensorInfo Find(string name) =>
        _file.FindTensor(name) ?? throw new ModelConfigurationException($"The model is missing the required tensor '{name}'.", name);
}
