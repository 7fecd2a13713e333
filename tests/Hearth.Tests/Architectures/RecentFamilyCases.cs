using Hearth.Numerics;

namespace Hearth.Tests.Architectures;

/// <summary>
/// Random-weight models of qwen3moe, smollm3 and mistral3 for <see cref="RecentFamilyDifferentialTests"/>: F32, Q8_0
/// and Q4_K (the types of the popular uploads) of each, in shapes no power of two divides: n_embd 256 (Q4_K's
/// super-block) with 12, 6 or 6 query heads over 3, 2 or 3 kv heads and head widths unrelated to n_embd / n_head, 13
/// experts (5 used). The router stays F32 as llama.cpp's quantizer keeps it.
/// </summary>
internal static class RecentFamilyCases
{
    public const int Embd = 256, Vocab = 333;

    public static readonly IReadOnlyDictionary<string, Action<string>> All = new Dictionary<string, Action<string>>
    {
        ["qwen3moe-F32"] = p => Qwen3Moe(GgmlType.F32, p),
        ["qwen3moe-Q8_0"] = p => Qwen3Moe(GgmlType.Q8_0, p),
        ["qwen3moe-Q4_K"] = p => Qwen3Moe(GgmlType.Q4_K, p),
        ["qwen3moe-coder-Q4_K"] = p => Qwen3Moe(GgmlType.Q4_K, p, coder: true),
        ["smollm3-F32"] = p => SmolLm3(GgmlType.F32, p),
        ["smollm3-Q8_0"] = p => SmolLm3(GgmlType.Q8_0, p),
        ["smollm3-Q4_K"] = p => SmolLm3(GgmlType.Q4_K, p),
        ["mistral3-F32"] = p => Mistral3(GgmlType.F32, p),
        ["mistral3-Q8_0"] = p => Mistral3(GgmlType.Q8_0, p),
        ["mistral3-Q4_K"] = p => Mistral3(GgmlType.Q4_K, p),
        ["qwen3moe-dynamic-mix"] = Qwen3MoeDynamicMix,
    };

    public static GgmlType WeightType(string name) =>
        name.EndsWith("-mix", StringComparison.Ordinal) ? GgmlType.IQ2_XXS
        : name.EndsWith("Q8_0", StringComparison.Ordinal) ? GgmlType.Q8_0 : name.EndsWith("Q4_K", StringComparison.Ordinal) ? GgmlType.Q4_K : GgmlType.F32;

    // Qwen3-30B-A3B's block in small: q/k norms, NeoX rope (base 1e6), 13 experts of width 256, 5 used, no shared
    // expert, expert_weights_norm absent (llama.cpp normalises regardless). coder: the Qwen3-Coder-30B-A3B metadata
    // (262144 context, base 1e7, expert_shared_feed_forward_length 0).
    private static void Qwen3Moe(GgmlType type, string path, bool coder = false)
    {
        const int heads = 12, kv = 3, hd = 64, experts = 13, used = 5, ffExp = 256, blocks = 2;
        var w = new ArchitectureModelWriter("qwen3moe", type, seed: coder ? 61 : 60);
        w.Header(Embd, blocks, nFf: 768, heads, kv, Vocab, ropeBase: coder ? 1e7f : 1e6f);
        w.U32("attention.key_length", hd);
        w.U32("attention.value_length", hd);
        w.U32("expert_count", experts);
        w.U32("expert_used_count", used);
        w.U32("expert_feed_forward_length", ffExp);
        if (coder)
        {
            w.U32("context_length", 262144);
            w.U32("expert_shared_feed_forward_length", 0);
        }
        w.Matrix("token_embd.weight", Embd, Vocab);
        w.Vector("output_norm.weight", Embd);
        w.Matrix("output.weight", Embd, Vocab, gain: 3f);
        for (int l = 0; l < blocks; l++)
        {
            string b = $"blk.{l}.";
            Attention(w, b, heads, kv, hd, qkNorm: true);
            w.Vector(b + "ffn_norm.weight", Embd);
            // Router logits of std 6 keep the choices decisive: with std 3 the quantized files' rounding noise (which
            // also splits llama.cpp's own scalar and AVX2 builds) swapped the 5th and 6th expert of a token now and then.
            w.Matrix(b + "ffn_gate_inp.weight", Embd, experts, gain: 6f, type: GgmlType.F32);
            w.Tensor3(b + "ffn_gate_exps.weight", Embd, ffExp, experts);
            w.Tensor3(b + "ffn_up_exps.weight", Embd, ffExp, experts);
            w.Tensor3(b + "ffn_down_exps.weight", ffExp, Embd, experts);
        }
        w.WriteTo(path);
    }

    // A "dynamic" upload in small (issue 16): the type chosen tensor by tensor, as Unsloth-style mixes of Qwen3-30B-A3B
    // do: routed experts at 2 bits (IQ2_XXS gate, IQ2_XS up) with down projections a step higher (IQ3_XXS, and MXFP4 in
    // the second block), attention IQ3_S (q, k) / IQ4_XS (v) / IQ4_NL (output), embeddings Q4_K, output Q6_K, norms and
    // router F32. (F16 norm vectors are not used: this llama.cpp's CPU multiply refuses an F16 operand, "binary_op:
    // unsupported types: dst: f32, src0: f32, src1: f16", and the released mixes keep norms F32.)
    private static void Qwen3MoeDynamicMix(string path)
    {
        const int heads = 12, kv = 3, hd = 64, experts = 13, used = 5, ffExp = 256, blocks = 2;
        var w = new ArchitectureModelWriter("qwen3moe", GgmlType.IQ2_XXS, seed: 65);
        w.Header(Embd, blocks, nFf: 768, heads, kv, Vocab, ropeBase: 1e6f);
        w.U32("attention.key_length", hd);
        w.U32("attention.value_length", hd);
        w.U32("expert_count", experts);
        w.U32("expert_used_count", used);
        w.U32("expert_feed_forward_length", ffExp);
        w.Matrix("token_embd.weight", Embd, Vocab, type: GgmlType.Q4_K);
        w.Vector("output_norm.weight", Embd);
        w.Matrix("output.weight", Embd, Vocab, gain: 5f, type: GgmlType.Q6_K);
        for (int l = 0; l < blocks; l++)
        {
            string b = $"blk.{l}.";
            w.Vector(b + "attn_norm.weight", Embd);
            w.Matrix(b + "attn_q.weight", Embd, heads * hd, type: GgmlType.IQ3_S);
            w.Matrix(b + "attn_k.weight", Embd, kv * hd, type: GgmlType.IQ3_S);
            w.Matrix(b + "attn_v.weight", Embd, kv * hd, type: GgmlType.IQ4_XS);
            w.Vector(b + "attn_q_norm.weight", hd);
            w.Vector(b + "attn_k_norm.weight", hd);
            w.Matrix(b + "attn_output.weight", heads * hd, Embd, type: GgmlType.IQ4_NL);
            w.Vector(b + "ffn_norm.weight", Embd);
            w.Matrix(b + "ffn_gate_inp.weight", Embd, experts, gain: 6f, type: GgmlType.F32);
            w.Tensor3(b + "ffn_gate_exps.weight", Embd, ffExp, experts, type: GgmlType.IQ2_XXS);
            w.Tensor3(b + "ffn_up_exps.weight", Embd, ffExp, experts, type: GgmlType.IQ2_XS);
            w.Tensor3(b + "ffn_down_exps.weight", ffExp, Embd, experts, type: l == 0 ? GgmlType.IQ3_XXS : GgmlType.MXFP4);
        }
        w.WriteTo(path);
    }

    // SmolLM3: five layers so that layer 3 (the fourth) runs without rope between rotated ones; tied embeddings.
    private static void SmolLm3(GgmlType type, string path)
    {
        const int heads = 6, kv = 2, hd = 128, ff = 512, blocks = 5;
        var w = new ArchitectureModelWriter("smollm3", type, seed: 62);
        w.Header(Embd, blocks, ff, heads, kv, Vocab, ropeBase: 5e6f);
        w.U32("attention.key_length", hd);
        w.U32("attention.value_length", hd);
        w.Matrix("token_embd.weight", Embd, Vocab, gain: 3f);
        w.Vector("output_norm.weight", Embd);
        for (int l = 0; l < blocks; l++)
        {
            string b = $"blk.{l}.";
            Attention(w, b, heads, kv, hd, qkNorm: false);
            DenseFeedForward(w, b, ff);
        }
        w.WriteTo(path);
    }

    // Ministral 3's metadata in small: YaRN factor 16 (beta 32/1, log multiplier 1) over an original context of 16, so
    // the attention temperature 1 + 0.1·ln(⌊pos/16⌋ + 1) steps five times within the test's positions.
    private static void Mistral3(GgmlType type, string path)
    {
        const int heads = 6, kv = 3, hd = 128, ff = 512, blocks = 3;
        var w = new ArchitectureModelWriter("mistral3", type, seed: 63);
        w.Header(Embd, blocks, ff, heads, kv, Vocab, ropeBase: 1e6f);
        w.U32("attention.key_length", hd);
        w.U32("attention.value_length", hd);
        w.Str("rope.scaling.type", "yarn");
        w.F32("rope.scaling.factor", 16f);
        w.U32("rope.scaling.original_context_length", 16);
        w.F32("rope.scaling.yarn_beta_fast", 32f);
        w.F32("rope.scaling.yarn_beta_slow", 1f);
        w.F32("rope.scaling.yarn_log_multiplier", 1f);
        w.F32("attention.temperature_scale", 0.1f);
        w.Matrix("token_embd.weight", Embd, Vocab);
        w.Vector("output_norm.weight", Embd);
        w.Matrix("output.weight", Embd, Vocab, gain: 3f);
        for (int l = 0; l < blocks; l++)
        {
            string b = $"blk.{l}.";
            Attention(w, b, heads, kv, hd, qkNorm: false);
            DenseFeedForward(w, b, ff);
        }
        w.WriteTo(path);
    }

    private static void Attention(ArchitectureModelWriter w, string b, int heads, int kv, int hd, bool qkNorm)
    {
        w.Vector(b + "attn_norm.weight", Embd);
        w.Matrix(b + "attn_q.weight", Embd, heads * hd);
        w.Matrix(b + "attn_k.weight", Embd, kv * hd);
        w.Matrix(b + "attn_v.weight", Embd, kv * hd);
        if (qkNorm)
        {
            w.Vector(b + "attn_q_norm.weight", hd);
            w.Vector(b + "attn_k_norm.weight", hd);
        }
        w.Matrix(b + "attn_output.weight", heads * hd, Embd);
    }

    private static void DenseFeedForward(ArchitectureModelWriter w, string b, int ff)
    {
        w.Vector(b + "ffn_norm.weight", Embd);
        w.Matrix(b + "ffn_gate.weight", Embd, ff);
        w.Matrix(b + "ffn_up.weight", Embd, ff);
        w.Matrix(b + "ffn_down.weight", ff, Embd);
    }
}
