using Hearth.Numerics;

namespace Hearth.Tests.Architectures;

/// <summary>
/// Random-weight <c>gemma4</c> files for the differential tests, dense and mixture-of-experts, each in F32, Q8_0 and Q4_K
/// (matrices whose rows are not a multiple of 256 fall back to Q8_0 or F32, as llama.cpp's quantizer does). Shapes are
/// small but odd: 6 query heads, 3 kv heads on sliding layers and 2 on global ones, head sizes 32 (sliding) and 64
/// (global) with rotated dimensions 32 and 64, a sliding window of 8 well inside the 56-token prompt.
/// </summary>
internal static class Gemma4Cases
{
    private const int Embd = 256, Heads = 6, KvSwa = 3, KvFull = 2, HdSwa = 32, HdFull = 64, Vocab = 301, Window = 8;

    public static readonly IReadOnlyDictionary<string, Action<string>> All = new Dictionary<string, Action<string>>
    {
        ["gemma4-dense-F32"] = p => Dense(GgmlType.F32, p),
        ["gemma4-dense-Q8_0"] = p => Dense(GgmlType.Q8_0, p),
        ["gemma4-dense-Q4_K"] = p => Dense(GgmlType.Q4_K, p),
        ["gemma4-moe-F32"] = p => Moe(GgmlType.F32, p),
        ["gemma4-moe-Q8_0"] = p => Moe(GgmlType.Q8_0, p),
        ["gemma4-moe-Q4_K"] = p => Moe(GgmlType.Q4_K, p),
    };

    public static GgmlType WeightType(string name) =>
        name.EndsWith("Q8_0", StringComparison.Ordinal) ? GgmlType.Q8_0 : name.EndsWith("Q4_K", StringComparison.Ordinal) ? GgmlType.Q4_K : GgmlType.F32;

    // The E2B/E4B shape: 8 layers (sliding, sliding, global, ...), the last two attend over layers 4 and 5's caches
    // (shared_kv_layers 2); per-layer input embeddings of width 16; per-layer feed-forward widths (512, wider 768 at the
    // end); global layers without attn_v (values from the key projection); rope_freqs on the global layers; a per-layer
    // output scale; final soft-cap 30.
    private static void Dense(GgmlType type, string path, int ple = 16, int shared = 2, bool allV = false, bool outScale = true, bool factors = true)
    {
        bool[] swa = [true, true, false, true, true, false, true, false];
        int blocks = swa.Length;
        int[] ff = [512, 512, 512, 512, 512, 512, 768, 768];
        var w = Writer(type, seed: 61, swa, ff);
        w.U32("attention.shared_kv_layers", shared);
        w.U32("embedding_length_per_layer_input", ple);
        CommonTensors(w, type, factors);
        if (ple > 0)
        {
            M(w, type, "per_layer_token_embd.weight", ple * blocks, Vocab);
            M(w, type, "per_layer_model_proj.weight", Embd, ple * blocks);
            w.Vector("per_layer_proj_norm.weight", ple);
        }
        for (int l = 0; l < blocks; l++)
        {
            string b = $"blk.{l}.";
            Attention(w, type, b, swa[l], ownKv: l < blocks - shared, withV: swa[l] || allV);
            Dense(w, type, b, ff[l]);
            w.Vector(b + "post_ffw_norm.weight", Embd, mean: 4f, std: 0.4f);
            if (ple > 0)
            {
                M(w, type, b + "inp_gate.weight", Embd, ple);
                M(w, type, b + "proj.weight", ple, Embd);
                w.Vector(b + "post_norm.weight", Embd, mean: 2f, std: 0.2f);
            }
            if (outScale) w.Values(b + "layer_output_scale.weight", [0.7f + 0.1f * l]);
        }
        w.WriteTo(path);
    }

    // The 26B-A4B shape: 6 layers, 7 experts (not a divisor of the thread count) of width 256, 3 used; layer 0 dense
    // only (no router), the others dense + experts, with gate and up fused (ffn_gate_up_exps) on even layers and separate
    // on odd ones, per-expert output scales, the router's input scale; every layer keeps attn_v.
    private static void Moe(GgmlType type, string path)
    {
        bool[] swa = [true, true, false, true, true, false];
        int blocks = swa.Length, experts = 7, ffExp = 256, ff = 512;
        var w = Writer(type, seed: 62, swa, null);
        w.U32("feed_forward_length", ff);
        w.U32("embedding_length_per_layer_input", 0);
        w.U32("expert_count", experts);
        w.U32("expert_used_count", 3);
        w.U32("expert_feed_forward_length", ffExp);
        CommonTensors(w, type);
        for (int l = 0; l < blocks; l++)
        {
            string b = $"blk.{l}.";
            Attention(w, type, b, swa[l], ownKv: true, withV: true);
            Dense(w, type, b, ff);
            w.Vector(b + "post_ffw_norm.weight", Embd, mean: 4f, std: 0.4f);
            if (l == 0) continue;
            // The router stays F32 (llama.cpp's quantizer keeps ffn_gate_inp so); logits of std 3 keep choices decisive.
            // (Its input is normed then scaled by ~4/sqrt(n_embd), so the gain makes up for the 1/sqrt(n_embd).)
            w.Matrix(b + "ffn_gate_inp.weight", Embd, experts, gain: 3f * MathF.Sqrt(Embd) / 4f, type: GgmlType.F32);
            w.Vector(b + "ffn_gate_inp.scale", Embd, mean: 4f, std: 0.5f);
            w.Vector(b + "pre_ffw_norm_2.weight", Embd);
            w.Vector(b + "post_ffw_norm_1.weight", Embd);
            w.Vector(b + "post_ffw_norm_2.weight", Embd);
            if (l % 2 == 0) w.Tensor3(b + "ffn_gate_up_exps.weight", Embd, 2 * ffExp, experts);
            else
            {
                w.Tensor3(b + "ffn_gate_exps.weight", Embd, ffExp, experts);
                w.Tensor3(b + "ffn_up_exps.weight", Embd, ffExp, experts);
            }
            w.Tensor3(b + "ffn_down_exps.weight", ffExp, Embd, experts);
            w.Vector(b + "ffn_down_exps.scale", experts, mean: 1f, std: 0.3f);
        }
        w.WriteTo(path);
    }

    private static ArchitectureModelWriter Writer(GgmlType type, int seed, bool[] swa, int[]? ff)
    {
        var w = new ArchitectureModelWriter("gemma4", type, seed);
        w.Header(Embd, swa.Length, ff?.Max() ?? 512, Heads, KvSwa, Vocab, ropeBase: 1e6f);
        if (ff != null) w.U32Array("feed_forward_length", ff);
        w.U32Array("attention.head_count_kv", Array.ConvertAll(swa, s => s ? KvSwa : KvFull));
        w.BoolArray("attention.sliding_window_pattern", swa);
        w.U32("attention.key_length", HdFull);
        w.U32("attention.value_length", HdFull);
        w.U32("attention.key_length_swa", HdSwa);
        w.U32("attention.value_length_swa", HdSwa);
        w.U32("rope.dimension_count", HdFull);
        w.U32("rope.dimension_count_swa", HdSwa);
        w.F32("rope.freq_base_swa", 10000f);
        w.U32("attention.sliding_window", Window);
        w.F32("final_logit_softcapping", 30f);
        return w;
    }

    private static void CommonTensors(ArchitectureModelWriter w, GgmlType type, bool withFactors = true)
    {
        // Tied embeddings double as the output matrix (logit std ≈ 3).
        M(w, type, "token_embd.weight", Embd, Vocab, gain: 3f);
        w.Vector("output_norm.weight", Embd);
        // Proportional RoPE of the global layers: the first half of the frequencies divided by factors near 1, the rest
        // by 1e30 (not rotated), as the converter writes for a partial rotary factor.
        var factors = new float[HdFull / 2];
        for (int i = 0; i < factors.Length; i++) factors[i] = i < factors.Length / 2 ? 1f + 0.05f * i : 1e30f;
        if (withFactors) w.Values("rope_freqs.weight", factors);
    }

    private static void Attention(ArchitectureModelWriter w, GgmlType type, string b, bool swa, bool ownKv, bool withV)
    {
        int hd = swa ? HdSwa : HdFull, kv = swa ? KvSwa : KvFull;
        w.Vector(b + "attn_norm.weight", Embd);
        M(w, type, b + "attn_q.weight", Embd, Heads * hd);
        // Gemma 4 does not scale the scores: its trained q/k norm weights set their size. Weights of hd^-1/4 give random
        // scores of unit scale (as 1/sqrt(hd) would); weights near 1 would make every softmax a near one-hot choice that
        // the smallest rounding difference flips.
        float qk = MathF.Pow(hd, -0.25f);
        w.Vector(b + "attn_q_norm.weight", hd, mean: qk, std: 0.1f * qk);
        if (ownKv)
        {
            M(w, type, b + "attn_k.weight", Embd, kv * hd);
            if (withV) M(w, type, b + "attn_v.weight", Embd, kv * hd);
            w.Vector(b + "attn_k_norm.weight", hd, mean: qk, std: 0.1f * qk);
        }
        M(w, type, b + "attn_output.weight", Heads * hd, Embd);
        // Post-norm weights around 4 (Gemma's are 1 + w, often far from 1) let the blocks, not the scaled input
        // embedding, dominate the residual stream; else every token predicts itself.
        w.Vector(b + "post_attention_norm.weight", Embd, mean: 4f, std: 0.4f);
    }

    private static void Dense(ArchitectureModelWriter w, GgmlType type, string b, int ff)
    {
        w.Vector(b + "ffn_norm.weight", Embd);
        M(w, type, b + "ffn_gate.weight", Embd, ff);
        M(w, type, b + "ffn_up.weight", Embd, ff);
        M(w, type, b + "ffn_down.weight", ff, Embd);
    }

    // Q4_K needs rows of whole 256-element blocks; other rows go to Q8_0 (32-element blocks) or stay F32.
    private static void M(ArchitectureModelWriter w, GgmlType type, string name, int cols, int rows, float gain = 1f)
    {
        var t = type == GgmlType.Q4_K && cols % 256 != 0 ? GgmlType.Q8_0 : type;
        if (t == GgmlType.Q8_0 && cols % 32 != 0) t = GgmlType.F32;
        w.Matrix(name, cols, rows, gain, t);
    }
}
