using Hearth.Numerics;

namespace Hearth.Tests.Architectures;

/// <summary>
/// The random-weight models of the architecture differential tests: small shapes that still exercise what each
/// architecture adds (see each builder), F32 weights plus one Q8_0 file per architecture.
/// </summary>
internal static class ArchitectureCases
{
    private const int Embd = 64, Heads = 4, Vocab = 301;

    public static readonly IReadOnlyDictionary<string, Action<string>> All = new Dictionary<string, Action<string>>
    {
        ["phi3-F32"] = p => Phi3(GgmlType.F32, p),
        ["phi3-Q8_0"] = p => Phi3(GgmlType.Q8_0, p),
        // LongRoPE (Phi-3 128k, Phi-3.5): the tests run at context 64, so an original context of 32 selects the long
        // factors and one of 256 the short ones. (This llama.cpp pads a context of 64 to 256 before comparing, so an
        // original length between 64 and 255 would split the engines; real models' 4096 is a multiple of 256.)
        ["phi3-longrope-long-F32"] = p => Phi3(GgmlType.F32, p, longRopeOriginal: 32),
        ["phi3-longrope-short-F32"] = p => Phi3(GgmlType.F32, p, longRopeOriginal: 256),
        ["gemma2-F32"] = p => Gemma(2, GgmlType.F32, p),
        ["gemma2-Q8_0"] = p => Gemma(2, GgmlType.Q8_0, p),
        ["gemma3-F32"] = p => Gemma(3, GgmlType.F32, p),
        ["gemma3-Q8_0"] = p => Gemma(3, GgmlType.Q8_0, p),
        ["deepseek2-lite-F32"] = p => DeepSeek2(v3: false, splitKvB: true, GgmlType.F32, p),
        ["deepseek2-lite-kvb-F32"] = p => DeepSeek2(v3: false, splitKvB: false, GgmlType.F32, p),
        ["deepseek2-v3-F32"] = p => DeepSeek2(v3: true, splitKvB: true, GgmlType.F32, p),
        ["deepseek2-v3-Q8_0"] = p => DeepSeek2(v3: true, splitKvB: true, GgmlType.Q8_0, p),
    };

    /// <summary>gpt-oss cases, run by <see cref="GptOssDifferentialTests"/> with a longer prompt and context.</summary>
    public static readonly IReadOnlyDictionary<string, Action<string>> GptOss = new Dictionary<string, Action<string>>
    {
        ["gpt-oss-F32"] = p => GptOssModel(GgmlType.F32, GgmlType.F32, p),
        ["gpt-oss-Q8_0"] = p => GptOssModel(GgmlType.Q8_0, GgmlType.Q8_0, p),
        // As llama-quantize's MXFP4_MOE (and the released gpt-oss files): experts MXFP4, the other matrices Q8_0.
        ["gpt-oss-MXFP4"] = p => GptOssModel(GgmlType.Q8_0, GgmlType.MXFP4, p),
    };

    public static GgmlType WeightType(string name) =>
        name.EndsWith("MXFP4", StringComparison.Ordinal) ? GgmlType.MXFP4
        : name.EndsWith("Q8_0", StringComparison.Ordinal) ? GgmlType.Q8_0 : GgmlType.F32;

    /// <summary>Sliding window of the gpt-oss cases: short, so the tests' 80 positions run well past it.</summary>
    public const int GptOssWindow = 16;

    // gpt-oss: three blocks (local, full, local: the even ones slide, window 16), 6 query heads on 2 kv heads of width 32
    // (q 192 ≠ n_embd 96), biases on q/k/v/o, router and every expert projection, per-head attention sinks, 5 experts
    // (not a multiple of the 2 threads) with 2 used, expert width 64, NeoX rope with YaRN (factor 32 over 4096, base
    // 150000) as the released models. Gate/up weights of gain 6 push many gate and up values past the SwiGLU clamp of 7.
    private static void GptOssModel(GgmlType type, GgmlType expertType, string path)
    {
        const int embd = 96, heads = 6, kv = 2, hd = 32, experts = 5, ffExp = 64, blocks = 3;
        var w = new ArchitectureModelWriter("gpt-oss", type, seed: 77);
        w.Header(embd, blocks, ffExp, heads, kv, Vocab, ropeBase: 150000f);
        w.U32("attention.key_length", hd);
        w.U32("attention.value_length", hd);
        w.U32("rope.dimension_count", hd);
        w.U32("attention.sliding_window", GptOssWindow);
        w.U32("expert_count", experts);
        w.U32("expert_used_count", 2);
        w.U32("expert_feed_forward_length", ffExp);
        w.Str("rope.scaling.type", "yarn");
        w.F32("rope.scaling.factor", 32f);
        w.U32("rope.scaling.original_context_length", 4096);
        w.Matrix("token_embd.weight", embd, Vocab);
        w.Vector("output_norm.weight", embd);
        w.Matrix("output.weight", embd, Vocab, gain: 3f);
        for (int l = 0; l < blocks; l++)
        {
            string b = $"blk.{l}.";
            w.Vector(b + "attn_norm.weight", embd);
            w.Matrix(b + "attn_q.weight", embd, heads * hd, gain: 2f);
            w.Vector(b + "attn_q.bias", heads * hd, mean: 0f, std: 0.3f);
            w.Matrix(b + "attn_k.weight", embd, kv * hd, gain: 2f);
            w.Vector(b + "attn_k.bias", kv * hd, mean: 0f, std: 0.3f);
            w.Matrix(b + "attn_v.weight", embd, kv * hd);
            w.Vector(b + "attn_v.bias", kv * hd, mean: 0f, std: 0.3f);
            w.Matrix(b + "attn_output.weight", heads * hd, embd);
            w.Vector(b + "attn_output.bias", embd, mean: 0f, std: 0.3f);
            // Sinks around the scores' size, so they take a real share of each softmax.
            w.Vector(b + "attn_sinks.weight", heads, mean: 1f, std: 1f);
            w.Vector(b + "post_attention_norm.weight", embd);
            w.Matrix(b + "ffn_gate_inp.weight", embd, experts, gain: 3f, type: GgmlType.F32);
            w.Vector(b + "ffn_gate_inp.bias", experts, mean: 0f, std: 0.5f);
            w.Tensor3(b + "ffn_gate_exps.weight", embd, ffExp, experts, gain: 6f, type: expertType);
            w.Floats(b + "ffn_gate_exps.bias", [ffExp, experts], mean: 0f, std: 0.5f);
            w.Tensor3(b + "ffn_up_exps.weight", embd, ffExp, experts, gain: 6f, type: expertType);
            w.Floats(b + "ffn_up_exps.bias", [ffExp, experts], mean: 0f, std: 0.5f);
            // The clamped SwiGLU leaves values up to ~56; a small gain brings the expert outputs back to unit scale.
            w.Tensor3(b + "ffn_down_exps.weight", ffExp, embd, experts, gain: 0.1f, type: expertType);
            w.Floats(b + "ffn_down_exps.bias", [embd, experts], mean: 0f, std: 0.3f);
        }
        w.WriteTo(path);
    }

    // Phi-3: fused attn_qkv and gate+up, partial rotary (8 of 16 dims), GQA 4:2. With longRopeOriginal: LongRoPE's
    // rope_factors_long/short (4 per-dimension divisors each, clearly different sets), that original context length
    // and the rope attention factor sqrt(1 + ln(s)/ln(orig)) the converter writes.
    private static void Phi3(GgmlType type, string path, int longRopeOriginal = 0)
    {
        const int ff = 96, kv = 2, hd = Embd / Heads;
        var w = new ArchitectureModelWriter("phi3", type, seed: 31);
        w.Header(Embd, blocks: 2, ff, Heads, kv, Vocab);
        w.U32("rope.dimension_count", 8);
        if (longRopeOriginal > 0)
        {
            w.U32("rope.scaling.original_context_length", longRopeOriginal);
            w.F32("rope.scaling.attn_factor", MathF.Sqrt(1 + MathF.Log(32) / MathF.Log(longRopeOriginal)));
            w.Vector("rope_factors_long.weight", 4, mean: 6f, std: 2f);
            w.Vector("rope_factors_short.weight", 4, mean: 1.2f, std: 0.1f);
        }
        w.Matrix("token_embd.weight", Embd, Vocab);
        w.Vector("output_norm.weight", Embd);
        w.Matrix("output.weight", Embd, Vocab, gain: 3f);
        for (int l = 0; l < 2; l++)
        {
            string b = $"blk.{l}.";
            w.Vector(b + "attn_norm.weight", Embd);
            w.Matrix(b + "attn_qkv.weight", Embd, Embd + 2 * kv * hd);
            w.Matrix(b + "attn_output.weight", Embd, Embd);
            w.Vector(b + "ffn_norm.weight", Embd);
            w.Matrix(b + "ffn_up.weight", Embd, 2 * ff);
            w.Matrix(b + "ffn_down.weight", ff, Embd);
        }
        w.WriteTo(path);
    }

    // Gemma 2: tied output, sliding window 8 on the even layer, both soft-caps. Gemma 3: q/k norms, six layers (five
    // local with base 10000, one global with base 1e6 and linear scaling 8), window 8. Both: scaled embeddings,
    // GELU-tanh, post-norms, head_dim 32 ≠ n_embd / n_head.
    private static void Gemma(int version, GgmlType type, string path)
    {
        const int ff = 128, kv = 2, hd = 32;
        int blocks = version == 2 ? 2 : 6;
        var w = new ArchitectureModelWriter(version == 2 ? "gemma2" : "gemma3", type, seed: 40 + version);
        w.Header(Embd, blocks, ff, Heads, kv, Vocab, ropeBase: version == 2 ? 10000f : 1e6f);
        w.U32("attention.key_length", hd);
        w.U32("attention.value_length", hd);
        w.U32("rope.dimension_count", hd);
        w.U32("attention.sliding_window", 8);
        if (version == 2)
        {
            w.F32("attn_logit_softcapping", 50f);
            w.F32("final_logit_softcapping", 30f);
        }
        else
        {
            w.Str("rope.scaling.type", "linear");
            w.F32("rope.scaling.factor", 8f);
        }
        // Tied embeddings double as the output matrix (logit std ≈ 3).
        w.Matrix("token_embd.weight", Embd, Vocab, gain: 3f);
        w.Vector("output_norm.weight", Embd);
        for (int l = 0; l < blocks; l++)
        {
            string b = $"blk.{l}.";
            w.Vector(b + "attn_norm.weight", Embd);
            w.Matrix(b + "attn_q.weight", Embd, Heads * hd);
            w.Matrix(b + "attn_k.weight", Embd, kv * hd);
            w.Matrix(b + "attn_v.weight", Embd, kv * hd);
            if (version == 3)
            {
                w.Vector(b + "attn_q_norm.weight", hd);
                w.Vector(b + "attn_k_norm.weight", hd);
            }
            w.Matrix(b + "attn_output.weight", Heads * hd, Embd);
            // Post-norm weights around 4 (Gemma's are 1 + w, often far from 1) let the blocks, not the scaled input
            // embedding, dominate the residual stream; else every token predicts itself.
            w.Vector(b + "post_attention_norm.weight", Embd, mean: 4f, std: 0.4f);
            w.Vector(b + "ffn_norm.weight", Embd);
            w.Matrix(b + "ffn_gate.weight", Embd, ff);
            w.Matrix(b + "ffn_up.weight", Embd, ff);
            w.Matrix(b + "ffn_down.weight", ff, Embd);
            w.Vector(b + "post_ffw_norm.weight", Embd, mean: 4f, std: 0.4f);
        }
        w.WriteTo(path);
    }

    // DeepSeek-V2/V3 latent attention + experts: one leading dense block, then MoE blocks of 8 experts with a shared one.
    // Lite-style: plain attn_q, softmax router, no weight normalisation, no YaRN. V3-style: attn_q_a/attn_q_b, sigmoid
    // router with exp_probs_b, normalised weights scaled 2.5, group-limited routing (4 groups, best 2), YaRN factor 4 with
    // the log multiplier. splitKvB false writes the older fused attn_kv_b instead of attn_k_b/attn_v_b.
    private static void DeepSeek2(bool v3, bool splitKvB, GgmlType type, string path)
    {
        const int ff = 96, ffExp = 64, experts = 8, qLora = 64, kvLora = 64, nope = 32, rope = 16, vDim = 32, blocks = 3;
        var w = new ArchitectureModelWriter("deepseek2", type, seed: v3 ? 23 : 22);
        w.Header(Embd, blocks, ff, Heads, splitKvB ? 1 : Heads, Vocab);
        if (splitKvB)
        {
            w.U32("attention.key_length", kvLora + rope);
            w.U32("attention.value_length", kvLora);
            w.U32("attention.key_length_mla", nope + rope);
            w.U32("attention.value_length_mla", vDim);
        }
        else
        {
            w.U32("attention.key_length", nope + rope);
            w.U32("attention.value_length", vDim);
        }
        w.U32("rope.dimension_count", rope);
        w.U32("attention.q_lora_rank", v3 ? qLora : 0);
        w.U32("attention.kv_lora_rank", kvLora);
        w.U32("leading_dense_block_count", 1);
        w.U32("expert_count", experts);
        w.U32("expert_used_count", v3 ? 3 : 2);
        w.U32("expert_shared_count", 1);
        w.U32("expert_feed_forward_length", ffExp);
        w.F32("expert_weights_scale", v3 ? 2.5f : 1.0f);
        w.Bool("expert_weights_norm", v3);
        w.U32("expert_gating_func", v3 ? 2 : 1);
        if (v3)
        {
            w.U32("expert_group_count", 4);
            w.U32("expert_group_used_count", 2);
            w.Str("rope.scaling.type", "yarn");
            w.F32("rope.scaling.factor", 4f);
            w.U32("rope.scaling.original_context_length", 64);
            w.F32("rope.scaling.yarn_log_multiplier", 0.0707f);
        }
        w.Matrix("token_embd.weight", Embd, Vocab);
        w.Vector("output_norm.weight", Embd);
        w.Matrix("output.weight", Embd, Vocab, gain: 3f);
        for (int l = 0; l < blocks; l++)
        {
            string b = $"blk.{l}.";
            w.Vector(b + "attn_norm.weight", Embd);
            if (v3)
            {
                w.Matrix(b + "attn_q_a.weight", Embd, qLora);
                w.Vector(b + "attn_q_a_norm.weight", qLora);
                w.Matrix(b + "attn_q_b.weight", qLora, Heads * (nope + rope));
            }
            else
            {
                w.Matrix(b + "attn_q.weight", Embd, Heads * (nope + rope));
            }
            w.Matrix(b + "attn_kv_a_mqa.weight", Embd, kvLora + rope);
            w.Vector(b + "attn_kv_a_norm.weight", kvLora);
            if (splitKvB)
            {
                w.Tensor3(b + "attn_k_b.weight", nope, kvLora, Heads);
                w.Tensor3(b + "attn_v_b.weight", kvLora, vDim, Heads);
            }
            else
            {
                w.Matrix(b + "attn_kv_b.weight", kvLora, Heads * (nope + vDim));
            }
            w.Matrix(b + "attn_output.weight", Heads * vDim, Embd);
            w.Vector(b + "ffn_norm.weight", Embd);
            if (l == 0)
            {
                w.Matrix(b + "ffn_gate.weight", Embd, ff);
                w.Matrix(b + "ffn_up.weight", Embd, ff);
                w.Matrix(b + "ffn_down.weight", ff, Embd);
                continue;
            }
            // The router stays F32 (llama.cpp's quantizer keeps ffn_gate_inp so); logits of std 3 keep choices decisive.
            w.Matrix(b + "ffn_gate_inp.weight", Embd, experts, gain: 3f, type: GgmlType.F32);
            if (v3) w.Vector(b + "exp_probs_b.bias", experts, mean: 0f, std: 0.1f);
            w.Tensor3(b + "ffn_gate_exps.weight", Embd, ffExp, experts);
            w.Tensor3(b + "ffn_up_exps.weight", Embd, ffExp, experts);
            w.Tensor3(b + "ffn_down_exps.weight", ffExp, Embd, experts);
            w.Matrix(b + "ffn_gate_shexp.weight", Embd, ffExp);
            w.Matrix(b + "ffn_up_shexp.weight", Embd, ffExp);
            w.Matrix(b + "ffn_down_shexp.weight", ffExp, Embd);
        }
        w.WriteTo(path);
    }
}
