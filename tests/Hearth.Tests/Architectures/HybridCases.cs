using Hearth.Numerics;

namespace Hearth.Tests.Architectures;

/// <summary>
/// Random-weight hybrid (recurrent + attention) models: LFM2 and LFM2-MoE (short convolutions), Qwen3.5, Qwen3.5-MoE
/// and Qwen3-Next (Gated DeltaNet), Granite 4.0 H (Mamba-2; dense with RoPE, and MoE without), each in F32, Q8_0 and Q4_K. Q4_K needs every matrix's columns to be a multiple of 256, so those files
/// are four times wider (n_embd 256, head and state widths 64).
/// </summary>
internal static class HybridCases
{
    private const int Vocab = 301;

    public static readonly IReadOnlyDictionary<string, Action<string>> All = new Dictionary<string, Action<string>>
    {
        ["lfm2-F32"] = p => Lfm2(GgmlType.F32, p),
        ["lfm2-Q8_0"] = p => Lfm2(GgmlType.Q8_0, p),
        ["lfm2-Q4_K"] = p => Lfm2(GgmlType.Q4_K, p),
        ["lfm2moe-F32"] = p => Lfm2(GgmlType.F32, p, moe: true),
        ["lfm2moe-Q8_0"] = p => Lfm2(GgmlType.Q8_0, p, moe: true),
        ["lfm2moe-Q4_K"] = p => Lfm2(GgmlType.Q4_K, p, moe: true),
        ["qwen35-F32"] = p => Qwen35(GgmlType.F32, p, moe: false),
        ["qwen35-Q8_0"] = p => Qwen35(GgmlType.Q8_0, p, moe: false),
        ["qwen35-Q4_K"] = p => Qwen35(GgmlType.Q4_K, p, moe: false),
        ["qwen35moe-F32"] = p => Qwen35(GgmlType.F32, p, moe: true),
        ["qwen35moe-Q8_0"] = p => Qwen35(GgmlType.Q8_0, p, moe: true),
        ["qwen35moe-Q4_K"] = p => Qwen35(GgmlType.Q4_K, p, moe: true),
        ["qwen3next-F32"] = p => Qwen35(GgmlType.F32, p, moe: true, next: true),
        ["qwen3next-Q8_0"] = p => Qwen35(GgmlType.Q8_0, p, moe: true, next: true),
        ["qwen3next-Q4_K"] = p => Qwen35(GgmlType.Q4_K, p, moe: true, next: true),
        ["granitehybrid-F32"] = p => GraniteHybrid(GgmlType.F32, p, moe: false),
        ["granitehybrid-Q8_0"] = p => GraniteHybrid(GgmlType.Q8_0, p, moe: false),
        ["granitehybrid-Q4_K"] = p => GraniteHybrid(GgmlType.Q4_K, p, moe: false),
        ["granitehybrid-moe-F32"] = p => GraniteHybrid(GgmlType.F32, p, moe: true),
        ["granitehybrid-moe-Q8_0"] = p => GraniteHybrid(GgmlType.Q8_0, p, moe: true),
        ["granitehybrid-moe-Q4_K"] = p => GraniteHybrid(GgmlType.Q4_K, p, moe: true),
    };

    public static GgmlType WeightType(string name) =>
        name.EndsWith("Q8_0", StringComparison.Ordinal) ? GgmlType.Q8_0 : name.EndsWith("Q4_K", StringComparison.Ordinal) ? GgmlType.Q4_K : GgmlType.F32;

    private static int Scale(GgmlType type) => type == GgmlType.Q4_K ? 4 : 1;

    // LFM2: four layers, the third attention (GQA 4:2, q/k norms, NeoX rope), the others gated short convolutions of
    // 3 taps (head_count_kv 0 there). MoE: after one dense block, 8 experts of 64 with a sigmoid router and exp_probs_b,
    // 2 used.
    private static void Lfm2(GgmlType type, string path, bool moe = false)
    {
        int x = Scale(type), embd = 64 * x, ff = 128 * x, heads = 4, kv = 2, hd = embd / heads, experts = 8, ffExp = 64 * x;
        bool[] attention = [false, false, true, false];
        var w = new ArchitectureModelWriter(moe ? "lfm2moe" : "lfm2", type, seed: moe ? 62 : 61);
        w.Header(embd, attention.Length, ff, heads, kv, Vocab, ropeBase: 1e6f);
        var kvHeads = new uint[attention.Length];
        for (int l = 0; l < kvHeads.Length; l++) kvHeads[l] = attention[l] ? (uint)kv : 0u;
        w.U32Array("attention.head_count_kv", kvHeads);
        w.U32("shortconv.l_cache", 3);
        if (moe)
        {
            w.U32("leading_dense_block_count", 1);
            w.U32("expert_count", experts);
            w.U32("expert_used_count", 2);
            w.U32("expert_feed_forward_length", ffExp);
            w.U32("expert_gating_func", 2);
        }
        w.Matrix("token_embd.weight", embd, Vocab);
        w.Vector("token_embd_norm.weight", embd);
        w.Matrix("output.weight", embd, Vocab, gain: 3f);
        for (int l = 0; l < attention.Length; l++)
        {
            string b = $"blk.{l}.";
            w.Vector(b + "attn_norm.weight", embd);
            if (attention[l])
            {
                w.Matrix(b + "attn_q.weight", embd, heads * hd);
                w.Matrix(b + "attn_k.weight", embd, kv * hd);
                w.Matrix(b + "attn_v.weight", embd, kv * hd);
                w.Vector(b + "attn_q_norm.weight", hd);
                w.Vector(b + "attn_k_norm.weight", hd);
                w.Matrix(b + "attn_output.weight", heads * hd, embd);
            }
            else
            {
                // The convolution stays F32, as llama.cpp's quantizer keeps it; gain 2 so the taps matter.
                w.Matrix(b + "shortconv.conv.weight", 3, embd, gain: 2f, type: GgmlType.F32);
                w.Matrix(b + "shortconv.in_proj.weight", embd, 3 * embd, gain: 1.5f);
                w.Matrix(b + "shortconv.out_proj.weight", embd, embd);
            }
            w.Vector(b + "ffn_norm.weight", embd);
            if (moe && l >= 1)
            {
                w.Matrix(b + "ffn_gate_inp.weight", embd, experts, gain: 3f, type: GgmlType.F32);
                w.Vector(b + "exp_probs_b.bias", experts, mean: 0f, std: 0.1f);
                w.Tensor3(b + "ffn_gate_exps.weight", embd, ffExp, experts);
                w.Tensor3(b + "ffn_up_exps.weight", embd, ffExp, experts);
                w.Tensor3(b + "ffn_down_exps.weight", ffExp, embd, experts);
                continue;
            }
            w.Matrix(b + "ffn_gate.weight", embd, ff);
            w.Matrix(b + "ffn_up.weight", embd, ff);
            w.Matrix(b + "ffn_down.weight", ff, embd);
        }
        w.WriteTo(path);
    }

    // Qwen3.5: four layers, the fourth gated attention (full_attention_interval 4; GQA 4:2, q/k norms, 8 of 16 rotated
    // dimensions in M-RoPE sections [1, 1, 1, 1], which leave the fourth pair unrotated), the others Gated DeltaNet with
    // 2 key heads, 4 value heads of 16, a 4-tap convolution. MoE: 8 experts of 64, 2 used, and a gated shared expert.
    // Qwen3-Next: the MoE layout with plain rope (no sections), grouped ssm_in (q|k|v|z per key head) and ssm_ba.
    private static void Qwen35(GgmlType type, string path, bool moe, bool next = false)
    {
        int x = Scale(type), embd = 64 * x, ff = 128 * x, heads = 4, kv = 2, hd = 16 * x, s = 16 * x, kHeads = 2, vHeads = 4;
        int keyWidth = kHeads * s, inner = vHeads * s, channels = 2 * keyWidth + inner, experts = 8, ffExp = 64 * x, ffShared = 64 * x;
        const int blocks = 4;
        var w = new ArchitectureModelWriter(next ? "qwen3next" : moe ? "qwen35moe" : "qwen35", type, seed: next ? 73 : moe ? 72 : 71);
        w.Header(embd, blocks, ff, heads, kv, Vocab, ropeBase: 1e7f);
        w.U32("attention.key_length", hd);
        w.U32("attention.value_length", hd);
        w.U32("rope.dimension_count", hd / 2);
        if (!next) w.U32Array("rope.dimension_sections", [1, 1, 1, 1]);
        w.U32("full_attention_interval", 4);
        w.U32("ssm.conv_kernel", 4);
        w.U32("ssm.state_size", s);
        w.U32("ssm.group_count", kHeads);
        w.U32("ssm.time_step_rank", vHeads);
        w.U32("ssm.inner_size", inner);
        if (moe)
        {
            w.U32("expert_count", experts);
            w.U32("expert_used_count", 2);
            w.U32("expert_feed_forward_length", ffExp);
            w.U32("expert_shared_feed_forward_length", ffShared);
        }
        w.Matrix("token_embd.weight", embd, Vocab);
        w.Vector("output_norm.weight", embd);
        w.Matrix("output.weight", embd, Vocab, gain: 3f);
        for (int l = 0; l < blocks; l++)
        {
            string b = $"blk.{l}.";
            w.Vector(b + "attn_norm.weight", embd);
            if ((l + 1) % 4 == 0)
            {
                w.Matrix(b + "attn_q.weight", embd, 2 * heads * hd, gain: 2f);
                w.Matrix(b + "attn_k.weight", embd, kv * hd);
                w.Matrix(b + "attn_v.weight", embd, kv * hd);
                w.Vector(b + "attn_q_norm.weight", hd);
                w.Vector(b + "attn_k_norm.weight", hd);
                w.Matrix(b + "attn_output.weight", heads * hd, embd);
            }
            else
            {
                if (next)
                {
                    w.Matrix(b + "ssm_in.weight", embd, channels + inner, gain: 1.5f);
                }
                else
                {
                    w.Matrix(b + "attn_qkv.weight", embd, channels, gain: 1.5f);
                    w.Matrix(b + "attn_gate.weight", embd, inner);
                }
                w.Matrix(b + "ssm_conv1d.weight", 4, channels, gain: 2f, type: GgmlType.F32);
                w.Vector(b + "ssm_dt.bias", vHeads, mean: 0.5f, std: 0.5f);
                // -exp(A_log): negative, so each step decays the state by exp(softplus(·) · A) < 1.
                w.Vector(b + "ssm_a", vHeads, mean: -0.6f, std: 0.2f);
                if (next)
                {
                    w.Matrix(b + "ssm_ba.weight", embd, 2 * vHeads, gain: 2f);
                }
                else
                {
                    w.Matrix(b + "ssm_beta.weight", embd, vHeads, gain: 2f);
                    w.Matrix(b + "ssm_alpha.weight", embd, vHeads);
                }
                w.Vector(b + "ssm_norm.weight", s);
                w.Matrix(b + "ssm_out.weight", inner, embd, gain: 2f);
            }
            w.Vector(b + "post_attention_norm.weight", embd);
            if (!moe)
            {
                w.Matrix(b + "ffn_gate.weight", embd, ff);
                w.Matrix(b + "ffn_up.weight", embd, ff);
                w.Matrix(b + "ffn_down.weight", ff, embd);
                continue;
            }
            w.Matrix(b + "ffn_gate_inp.weight", embd, experts, gain: 3f, type: GgmlType.F32);
            w.Tensor3(b + "ffn_gate_exps.weight", embd, ffExp, experts);
            w.Tensor3(b + "ffn_up_exps.weight", embd, ffExp, experts);
            w.Tensor3(b + "ffn_down_exps.weight", ffExp, embd, experts);
            w.Vector(b + "ffn_gate_inp_shexp.weight", embd, mean: 0f, std: 0.2f);
            w.Matrix(b + "ffn_gate_shexp.weight", embd, ffShared);
            w.Matrix(b + "ffn_up_shexp.weight", embd, ffShared);
            w.Matrix(b + "ffn_down_shexp.weight", ffShared, embd);
        }
        w.WriteTo(path);
    }

    // Granite 4.0 H: four layers, the third attention (GQA 4:2, normal rope; the MoE variant without rope, as the
    // released models), the others Mamba-2 with d_inner = 2 n_embd (as llama.cpp requires) in 8 heads, state 16
    // (64 for Q4_K), a 4-tap convolution with bias, 2 groups of B/C (the MoE variant 1, as the released models). Granite's
    // scalars all differ from 1. MoE: 8 experts of 64, 2 used, and an ungated shared expert.
    internal static void GraniteHybrid(GgmlType type, string path, bool moe, Action<ArchitectureModelWriter>? tweak = null)
    {
        int x = Scale(type), embd = 64 * x, ff = 128 * x, heads = 4, kv = 2, hd = embd / heads, inner = 2 * embd, ssmHeads = 8, state = 16 * x;
        int groups = moe ? 1 : 2, channels = inner + 2 * groups * state, proj = 2 * inner + 2 * groups * state + ssmHeads;
        int experts = 8, ffExp = 64 * x, ffShared = 64 * x;
        bool[] attention = [false, false, true, false];
        // The MoE Q4_K file has its own seed: with seed 82 one decode step's router lands on a near-tie between two
        // experts, which the two engines' rounding resolves differently (the same shapes in F32 match to 2e-5 of the range).
        var w = new ArchitectureModelWriter("granitehybrid", type, seed: moe ? (type == GgmlType.Q4_K ? 94 : 82) : 81);
        // Granite's experts are feed_forward_length wide (no expert_feed_forward_length key).
        w.Header(embd, attention.Length, moe ? ffExp : ff, heads, kv, Vocab, ropeBase: 1e4f);
        var kvHeads = new uint[attention.Length];
        for (int l = 0; l < kvHeads.Length; l++) kvHeads[l] = attention[l] ? (uint)kv : 0u;
        w.U32Array("attention.head_count_kv", kvHeads);
        w.U32("ssm.conv_kernel", 4);
        w.U32("ssm.inner_size", inner);
        w.U32("ssm.state_size", state);
        w.U32("ssm.time_step_rank", ssmHeads);
        w.U32("ssm.group_count", groups);
        w.F32("embedding_scale", 3f);
        w.F32("residual_scale", 0.5f);
        w.F32("attention.scale", 0.2f);
        w.F32("logit_scale", 0.8f);
        if (moe)
        {
            w.Bool("rope.scaling.finetuned", false);
            w.U32("expert_count", experts);
            w.U32("expert_used_count", 2);
            w.U32("expert_shared_feed_forward_length", ffShared);
        }
        tweak?.Invoke(w); // tests of bad files: metadata overridden, tensors added
        w.Matrix("token_embd.weight", embd, Vocab);
        w.Vector("output_norm.weight", embd);
        w.Matrix("output.weight", embd, Vocab, gain: 3f);
        for (int l = 0; l < attention.Length; l++)
        {
            string b = $"blk.{l}.";
            w.Vector(b + "attn_norm.weight", embd);
            if (attention[l])
            {
                w.Matrix(b + "attn_q.weight", embd, heads * hd, gain: 2f);
                w.Matrix(b + "attn_k.weight", embd, kv * hd, gain: 2f);
                w.Matrix(b + "attn_v.weight", embd, kv * hd);
                w.Matrix(b + "attn_output.weight", heads * hd, embd);
            }
            else
            {
                w.Matrix(b + "ssm_in.weight", embd, proj, gain: 1.5f);
                // The convolution and the per-head scalars stay F32, as llama.cpp's quantizer keeps them.
                w.Matrix(b + "ssm_conv1d.weight", 4, channels, gain: 2f, type: GgmlType.F32);
                w.Vector(b + "ssm_conv1d.bias", channels, mean: 0f, std: 0.2f);
                // softplus(dt + bias) around 0.3: each step keeps about three quarters of the state.
                w.Vector(b + "ssm_dt.bias", ssmHeads, mean: -1f, std: 0.5f);
                // -exp(A_log), negative; llama.cpp wants ssm_a and ssm_d as [1, heads] and ssm_norm as [d_inner / groups, groups].
                w.Floats(b + "ssm_a", [1, ssmHeads], mean: -1f, std: 0.2f);
                w.Floats(b + "ssm_d", [1, ssmHeads], mean: 1f, std: 0.3f);
                w.Floats(b + "ssm_norm.weight", [inner / groups, groups], mean: 1f, std: 0.1f);
                w.Matrix(b + "ssm_out.weight", inner, embd, gain: 2f);
            }
            w.Vector(b + "ffn_norm.weight", embd);
            if (!moe)
            {
                w.Matrix(b + "ffn_gate.weight", embd, ff);
                w.Matrix(b + "ffn_up.weight", embd, ff);
                w.Matrix(b + "ffn_down.weight", ff, embd);
                continue;
            }
            w.Matrix(b + "ffn_gate_inp.weight", embd, experts, gain: 3f, type: GgmlType.F32);
            w.Tensor3(b + "ffn_gate_exps.weight", embd, ffExp, experts);
            w.Tensor3(b + "ffn_up_exps.weight", embd, ffExp, experts);
            w.Tensor3(b + "ffn_down_exps.weight", ffExp, embd, experts);
            w.Matrix(b + "ffn_gate_shexp.weight", embd, ffShared);
            w.Matrix(b + "ffn_up_shexp.weight", embd, ffShared);
            w.Matrix(b + "ffn_down_shexp.weight", ffShared, embd);
        }
        w.WriteTo(path);
    }
}
