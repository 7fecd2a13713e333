using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Compare;

/// <summary>
/// Writes a random-weight model of a given shape with Hearth's GGUF writer: matrices in the requested type (quantized
/// with Hearth's reference quantizers), norms and biases in F32, and a synthetic SentencePiece vocabulary so llama.cpp
/// loads it. The numbers are meaningless; the shapes, types and bytes per token are those of the real model.
/// </summary>
internal static class SyntheticModel
{
    public static void Write(string path, ModelShape s, GgmlType type, int seed = 1)
    {
        if (s.Architecture == "deepseek2")
        {
            WriteDeepSeek2(path, s, type, seed);
            return;
        }
        if (s.Architecture == "gpt-oss")
        {
            WriteGptOss(path, s, type, seed);
            return;
        }
        if (s.Architecture == "qwen3moe")
        {
            WriteQwen3Moe(path, s, type, seed);
            return;
        }
        var w = new GgufWriter();
        string a = s.Architecture;
        w.SetMetadata("general.architecture", GgufValue.String(a));
        w.SetMetadata("general.name", GgufValue.String($"synthetic {s.Name} {type}"));
        w.SetMetadata($"{a}.context_length", GgufValue.UInt32(4096));
        w.SetMetadata($"{a}.embedding_length", GgufValue.UInt32((uint)s.Embedding));
        w.SetMetadata($"{a}.block_count", GgufValue.UInt32((uint)s.Layers));
        w.SetMetadata($"{a}.feed_forward_length", GgufValue.UInt32((uint)s.FeedForward));
        w.SetMetadata($"{a}.attention.head_count", GgufValue.UInt32((uint)s.Heads));
        w.SetMetadata($"{a}.attention.head_count_kv", GgufValue.UInt32((uint)s.KvHeads));
        w.SetMetadata($"{a}.attention.layer_norm_rms_epsilon", GgufValue.Float32(1e-5f));
        w.SetMetadata($"{a}.rope.freq_base", GgufValue.Float32(10000f));
        AddVocabulary(w, s.Vocab);

        int d = s.Embedding, hd = d / s.Heads, kv = s.KvHeads * hd;
        var rng = new Random(seed);
        w.AddTensor("token_embd.weight", type, [d, s.Vocab], Matrix(type, d, s.Vocab, rng.Next()));
        w.AddTensor("output_norm.weight", GgmlType.F32, [d], Norm(d, rng.Next()));
        w.AddTensor("output.weight", type, [d, s.Vocab], Matrix(type, d, s.Vocab, rng.Next()));
        for (int l = 0; l < s.Layers; l++)
        {
            string p = $"blk.{l}.";
            w.AddTensor(p + "attn_norm.weight", GgmlType.F32, [d], Norm(d, rng.Next()));
            w.AddTensor(p + "attn_q.weight", type, [d, d], Matrix(type, d, d, rng.Next()));
            w.AddTensor(p + "attn_k.weight", type, [d, kv], Matrix(type, d, kv, rng.Next()));
            w.AddTensor(p + "attn_v.weight", type, [d, kv], Matrix(type, d, kv, rng.Next()));
            if (a == "qwen2")
            {
                w.AddTensor(p + "attn_q.bias", GgmlType.F32, [d], Vector(d, 0.02f, rng.Next()));
                w.AddTensor(p + "attn_k.bias", GgmlType.F32, [kv], Vector(kv, 0.02f, rng.Next()));
                w.AddTensor(p + "attn_v.bias", GgmlType.F32, [kv], Vector(kv, 0.02f, rng.Next()));
            }
            w.AddTensor(p + "attn_output.weight", type, [d, d], Matrix(type, d, d, rng.Next()));
            w.AddTensor(p + "ffn_norm.weight", GgmlType.F32, [d], Norm(d, rng.Next()));
            w.AddTensor(p + "ffn_gate.weight", type, [d, s.FeedForward], Matrix(type, d, s.FeedForward, rng.Next()));
            w.AddTensor(p + "ffn_up.weight", type, [d, s.FeedForward], Matrix(type, d, s.FeedForward, rng.Next()));
            w.AddTensor(p + "ffn_down.weight", type, [s.FeedForward, d], Matrix(type, s.FeedForward, d, rng.Next()));
        }
        w.WriteTo(path);
    }

    // DeepSeek-V2-Lite's latent attention and experts (see ModelShape.DeepSeekV2Lite), in llama.cpp's deepseek2 keys and
    // tensor names with the split attn_k_b/attn_v_b that current converters write. Router and norms stay F32.
    private static void WriteDeepSeek2(string path, ModelShape s, GgmlType type, int seed)
    {
        const int kvLora = 512, nope = 128, rope = 64, vDim = 128, experts = 64, used = 6, shared = 2, ffExp = 1408;
        // attn_k_b rows of 128 and expert down rows of 1408 columns: 256-element K-quant blocks do not fit (llama.cpp's
        // quantizer falls back to other types for those tensors); the 32-element formats do.
        if (ffExp % TensorTypes.Get(type).BlockSize != 0 || nope % TensorTypes.Get(type).BlockSize != 0)
            throw new ArgumentException($"The DeepSeek-V2-Lite shape needs a 32-element block type (Q4_0, Q8_0, ...), not {type}.");
        var w = new GgufWriter();
        const string a = "deepseek2";
        int d = s.Embedding, h = s.Heads;
        void U32(string key, int v) => w.SetMetadata($"{a}.{key}", GgufValue.UInt32((uint)v));
        void F32(string key, float v) => w.SetMetadata($"{a}.{key}", GgufValue.Float32(v));
        w.SetMetadata("general.architecture", GgufValue.String(a));
        w.SetMetadata("general.name", GgufValue.String($"synthetic {s.Name} {type}"));
        U32("context_length", 4096);
        U32("embedding_length", d);
        U32("block_count", s.Layers);
        U32("feed_forward_length", s.FeedForward);
        U32("attention.head_count", h);
        U32("attention.head_count_kv", 1);
        F32("attention.layer_norm_rms_epsilon", 1e-6f);
        F32("rope.freq_base", 10000f);
        U32("attention.key_length", kvLora + rope);
        U32("attention.value_length", kvLora);
        U32("attention.key_length_mla", nope + rope);
        U32("attention.value_length_mla", vDim);
        U32("rope.dimension_count", rope);
        U32("attention.q_lora_rank", 0);
        U32("attention.kv_lora_rank", kvLora);
        U32("leading_dense_block_count", 1);
        U32("expert_count", experts);
        U32("expert_used_count", used);
        U32("expert_shared_count", shared);
        U32("expert_feed_forward_length", ffExp);
        F32("expert_weights_scale", 1.0f);
        w.SetMetadata($"{a}.expert_weights_norm", GgufValue.Bool(false));
        U32("expert_gating_func", 1);
        w.SetMetadata($"{a}.rope.scaling.type", GgufValue.String("yarn"));
        F32("rope.scaling.factor", 40f);
        U32("rope.scaling.original_context_length", 4096);
        F32("rope.scaling.yarn_log_multiplier", 0.0707f);
        AddVocabulary(w, s.Vocab);

        var rng = new Random(seed);
        w.AddTensor("token_embd.weight", type, [d, s.Vocab], Matrix(type, d, s.Vocab, rng.Next()));
        w.AddTensor("output_norm.weight", GgmlType.F32, [d], Norm(d, rng.Next()));
        w.AddTensor("output.weight", type, [d, s.Vocab], Matrix(type, d, s.Vocab, rng.Next()));
        for (int l = 0; l < s.Layers; l++)
        {
            string p = $"blk.{l}.";
            w.AddTensor(p + "attn_norm.weight", GgmlType.F32, [d], Norm(d, rng.Next()));
            w.AddTensor(p + "attn_q.weight", type, [d, h * (nope + rope)], Matrix(type, d, h * (nope + rope), rng.Next()));
            w.AddTensor(p + "attn_kv_a_mqa.weight", type, [d, kvLora + rope], Matrix(type, d, kvLora + rope, rng.Next()));
            w.AddTensor(p + "attn_kv_a_norm.weight", GgmlType.F32, [kvLora], Norm(kvLora, rng.Next()));
            w.AddTensor(p + "attn_k_b.weight", type, [nope, kvLora, h], Matrix(type, nope, kvLora * h, rng.Next()));
            w.AddTensor(p + "attn_v_b.weight", type, [kvLora, vDim, h], Matrix(type, kvLora, vDim * h, rng.Next()));
            w.AddTensor(p + "attn_output.weight", type, [h * vDim, d], Matrix(type, h * vDim, d, rng.Next()));
            w.AddTensor(p + "ffn_norm.weight", GgmlType.F32, [d], Norm(d, rng.Next()));
            if (l == 0)
            {
                w.AddTensor(p + "ffn_gate.weight", type, [d, s.FeedForward], Matrix(type, d, s.FeedForward, rng.Next()));
                w.AddTensor(p + "ffn_up.weight", type, [d, s.FeedForward], Matrix(type, d, s.FeedForward, rng.Next()));
                w.AddTensor(p + "ffn_down.weight", type, [s.FeedForward, d], Matrix(type, s.FeedForward, d, rng.Next()));
                continue;
            }
            w.AddTensor(p + "ffn_gate_inp.weight", GgmlType.F32, [d, experts], Matrix(GgmlType.F32, d, experts, rng.Next()));
            w.AddTensor(p + "ffn_gate_exps.weight", type, [d, ffExp, experts], Matrix(type, d, ffExp * experts, rng.Next()));
            w.AddTensor(p + "ffn_up_exps.weight", type, [d, ffExp, experts], Matrix(type, d, ffExp * experts, rng.Next()));
            w.AddTensor(p + "ffn_down_exps.weight", type, [ffExp, d, experts], Matrix(type, ffExp, d * experts, rng.Next()));
            int fs = ffExp * shared;
            w.AddTensor(p + "ffn_gate_shexp.weight", type, [d, fs], Matrix(type, d, fs, rng.Next()));
            w.AddTensor(p + "ffn_up_shexp.weight", type, [d, fs], Matrix(type, d, fs, rng.Next()));
            w.AddTensor(p + "ffn_down_shexp.weight", type, [fs, d], Matrix(type, fs, d, rng.Next()));
        }
        w.WriteTo(path);
    }

    // gpt-oss-20b's blocks (see ModelShape.GptOss20B) in llama.cpp's gpt-oss keys and tensor names. type MXFP4 puts the
    // experts in MXFP4 and every other matrix in Q8_0 (MXFP4_MOE); any other type is used for all matrices. Router,
    // norms, sinks and biases stay F32.
    private static void WriteGptOss(string path, ModelShape s, GgmlType type, int seed)
    {
        const int hd = 64, experts = 32, used = 4, window = 128;
        var w = new GgufWriter();
        const string a = "gpt-oss";
        int d = s.Embedding, h = s.Heads, kv = s.KvHeads * hd, ffExp = s.FeedForward;
        var expertType = type;
        var denseType = type == GgmlType.MXFP4 ? GgmlType.Q8_0 : type;
        void U32(string key, int v) => w.SetMetadata($"{a}.{key}", GgufValue.UInt32((uint)v));
        void F32(string key, float v) => w.SetMetadata($"{a}.{key}", GgufValue.Float32(v));
        w.SetMetadata("general.architecture", GgufValue.String(a));
        w.SetMetadata("general.name", GgufValue.String($"synthetic {s.Name} {type}"));
        U32("context_length", 131072);
        U32("embedding_length", d);
        U32("block_count", s.Layers);
        U32("feed_forward_length", ffExp);
        U32("attention.head_count", h);
        U32("attention.head_count_kv", s.KvHeads);
        U32("attention.key_length", hd);
        U32("attention.value_length", hd);
        U32("rope.dimension_count", hd);
        F32("attention.layer_norm_rms_epsilon", 1e-5f);
        F32("rope.freq_base", 150000f);
        U32("attention.sliding_window", window);
        U32("expert_count", experts);
        U32("expert_used_count", used);
        U32("expert_feed_forward_length", ffExp);
        w.SetMetadata($"{a}.rope.scaling.type", GgufValue.String("yarn"));
        F32("rope.scaling.factor", 32f);
        U32("rope.scaling.original_context_length", 4096);
        AddVocabulary(w, s.Vocab);

        var rng = new Random(seed);
        w.AddTensor("token_embd.weight", denseType, [d, s.Vocab], Matrix(denseType, d, s.Vocab, rng.Next()));
        w.AddTensor("output_norm.weight", GgmlType.F32, [d], Norm(d, rng.Next()));
        w.AddTensor("output.weight", denseType, [d, s.Vocab], Matrix(denseType, d, s.Vocab, rng.Next()));
        for (int l = 0; l < s.Layers; l++)
        {
            string p = $"blk.{l}.";
            w.AddTensor(p + "attn_norm.weight", GgmlType.F32, [d], Norm(d, rng.Next()));
            w.AddTensor(p + "attn_q.weight", denseType, [d, h * hd], Matrix(denseType, d, h * hd, rng.Next()));
            w.AddTensor(p + "attn_q.bias", GgmlType.F32, [h * hd], Vector(h * hd, 0.02f, rng.Next()));
            w.AddTensor(p + "attn_k.weight", denseType, [d, kv], Matrix(denseType, d, kv, rng.Next()));
            w.AddTensor(p + "attn_k.bias", GgmlType.F32, [kv], Vector(kv, 0.02f, rng.Next()));
            w.AddTensor(p + "attn_v.weight", denseType, [d, kv], Matrix(denseType, d, kv, rng.Next()));
            w.AddTensor(p + "attn_v.bias", GgmlType.F32, [kv], Vector(kv, 0.02f, rng.Next()));
            w.AddTensor(p + "attn_output.weight", denseType, [h * hd, d], Matrix(denseType, h * hd, d, rng.Next()));
            w.AddTensor(p + "attn_output.bias", GgmlType.F32, [d], Vector(d, 0.02f, rng.Next()));
            w.AddTensor(p + "attn_sinks.weight", GgmlType.F32, [h], Vector(h, 1f, rng.Next()));
            w.AddTensor(p + "post_attention_norm.weight", GgmlType.F32, [d], Norm(d, rng.Next()));
            w.AddTensor(p + "ffn_gate_inp.weight", GgmlType.F32, [d, experts], Matrix(GgmlType.F32, d, experts, rng.Next()));
            w.AddTensor(p + "ffn_gate_inp.bias", GgmlType.F32, [experts], Vector(experts, 0.02f, rng.Next()));
            w.AddTensor(p + "ffn_gate_exps.weight", expertType, [d, ffExp, experts], Matrix(expertType, d, ffExp * experts, rng.Next()));
            w.AddTensor(p + "ffn_gate_exps.bias", GgmlType.F32, [ffExp, experts], Vector(ffExp * experts, 0.02f, rng.Next()));
            w.AddTensor(p + "ffn_up_exps.weight", expertType, [d, ffExp, experts], Matrix(expertType, d, ffExp * experts, rng.Next()));
            w.AddTensor(p + "ffn_up_exps.bias", GgmlType.F32, [ffExp, experts], Vector(ffExp * experts, 0.02f, rng.Next()));
            w.AddTensor(p + "ffn_down_exps.weight", expertType, [ffExp, d, experts], Matrix(expertType, ffExp, d * experts, rng.Next()));
            w.AddTensor(p + "ffn_down_exps.bias", GgmlType.F32, [d, experts], Vector(d * experts, 0.02f, rng.Next()));
        }
        w.WriteTo(path);
    }

    // Qwen3-30B-A3B's blocks (see ModelShape.Qwen3MoeA3B) in llama.cpp's qwen3moe keys and tensor names. Router and
    // norms stay F32, as llama.cpp's quantizer keeps them.
    private static void WriteQwen3Moe(string path, ModelShape s, GgmlType type, int seed)
    {
        const int headDim = 128, experts = 128, used = 8, ffExp = 768;
        var w = new GgufWriter();
        const string a = "qwen3moe";
        int d = s.Embedding, q = s.Heads * headDim, kv = s.KvHeads * headDim;
        void U32(string key, int v) => w.SetMetadata($"{a}.{key}", GgufValue.UInt32((uint)v));
        void F32(string key, float v) => w.SetMetadata($"{a}.{key}", GgufValue.Float32(v));
        w.SetMetadata("general.architecture", GgufValue.String(a));
        w.SetMetadata("general.name", GgufValue.String($"synthetic {s.Name} {type}"));
        U32("context_length", 4096);
        U32("embedding_length", d);
        U32("block_count", s.Layers);
        U32("feed_forward_length", s.FeedForward);
        U32("attention.head_count", s.Heads);
        U32("attention.head_count_kv", s.KvHeads);
        U32("attention.key_length", headDim);
        U32("attention.value_length", headDim);
        F32("attention.layer_norm_rms_epsilon", 1e-6f);
        F32("rope.freq_base", 1e6f);
        U32("expert_count", experts);
        U32("expert_used_count", used);
        U32("expert_feed_forward_length", ffExp);
        AddVocabulary(w, s.Vocab);

        var rng = new Random(seed);
        w.AddTensor("token_embd.weight", type, [d, s.Vocab], Matrix(type, d, s.Vocab, rng.Next()));
        w.AddTensor("output_norm.weight", GgmlType.F32, [d], Norm(d, rng.Next()));
        w.AddTensor("output.weight", type, [d, s.Vocab], Matrix(type, d, s.Vocab, rng.Next()));
        for (int l = 0; l < s.Layers; l++)
        {
            string p = $"blk.{l}.";
            w.AddTensor(p + "attn_norm.weight", GgmlType.F32, [d], Norm(d, rng.Next()));
            w.AddTensor(p + "attn_q.weight", type, [d, q], Matrix(type, d, q, rng.Next()));
            w.AddTensor(p + "attn_k.weight", type, [d, kv], Matrix(type, d, kv, rng.Next()));
            w.AddTensor(p + "attn_v.weight", type, [d, kv], Matrix(type, d, kv, rng.Next()));
            w.AddTensor(p + "attn_q_norm.weight", GgmlType.F32, [headDim], Norm(headDim, rng.Next()));
            w.AddTensor(p + "attn_k_norm.weight", GgmlType.F32, [headDim], Norm(headDim, rng.Next()));
            w.AddTensor(p + "attn_output.weight", type, [q, d], Matrix(type, q, d, rng.Next()));
            w.AddTensor(p + "ffn_norm.weight", GgmlType.F32, [d], Norm(d, rng.Next()));
            w.AddTensor(p + "ffn_gate_inp.weight", GgmlType.F32, [d, experts], Matrix(GgmlType.F32, d, experts, rng.Next()));
            w.AddTensor(p + "ffn_gate_exps.weight", type, [d, ffExp, experts], Matrix(type, d, ffExp * experts, rng.Next()));
            w.AddTensor(p + "ffn_up_exps.weight", type, [d, ffExp, experts], Matrix(type, d, ffExp * experts, rng.Next()));
            w.AddTensor(p + "ffn_down_exps.weight", type, [ffExp, d, experts], Matrix(type, ffExp, d * experts, rng.Next()));
        }
        w.WriteTo(path);
    }

    /// <summary>&lt;unk&gt;, &lt;s&gt;, &lt;/s&gt;, the 256 byte tokens, then filler pieces with descending scores.</summary>
    private static void AddVocabulary(GgufWriter w, int n)
    {
        var tokens = new string[n];
        var scores = new float[n];
        var types = new int[n];
        tokens[0] = "<unk>";
        tokens[1] = "<s>";
        tokens[2] = "</s>";
        types[0] = 2;
        types[1] = types[2] = 3;
        for (int b = 0; b < 256; b++)
        {
            tokens[3 + b] = $"<0x{b:X2}>";
            types[3 + b] = 6;
        }
        for (int i = 259; i < n; i++)
        {
            tokens[i] = "\u2581t" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            scores[i] = -i;
            types[i] = 1;
        }
        w.SetMetadata("tokenizer.ggml.model", GgufValue.String("llama"));
        w.SetMetadata("tokenizer.ggml.tokens", GgufValue.Array(tokens));
        w.SetMetadata("tokenizer.ggml.scores", GgufValue.Array(scores));
        w.SetMetadata("tokenizer.ggml.token_type", GgufValue.Array(types));
        w.SetMetadata("tokenizer.ggml.bos_token_id", GgufValue.UInt32(1));
        w.SetMetadata("tokenizer.ggml.eos_token_id", GgufValue.UInt32(2));
        w.SetMetadata("tokenizer.ggml.unknown_token_id", GgufValue.UInt32(0));
    }

    private static byte[] Matrix(GgmlType type, int cols, int rows, int seed)
    {
        var traits = TensorTypes.Get(type);
        int rowBytes = (int)traits.RowBytes(cols);
        var data = new byte[(long)rowBytes * rows];
        float std = 1.0f / MathF.Sqrt(cols);
        const int RowsPerTask = 64;
        Parallel.For(0, (rows + RowsPerTask - 1) / RowsPerTask, chunk =>
        {
            var rng = new Random(seed * 7919 + chunk);
            var row = new float[cols];
            for (int r = chunk * RowsPerTask; r < Math.Min(rows, (chunk + 1) * RowsPerTask); r++)
            {
                for (int i = 0; i < cols; i++) row[i] = Gaussian(rng) * std;
                traits.Quantize!(row, data.AsSpan(r * rowBytes, rowBytes));
            }
        });
        return data;
    }

    private static byte[] Norm(int n, int seed)
    {
        var rng = new Random(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = 1.0f + 0.1f * Gaussian(rng);
        return System.Runtime.InteropServices.MemoryMarshal.AsBytes(v.AsSpan()).ToArray();
    }

    private static byte[] Vector(int n, float std, int seed)
    {
        var rng = new Random(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = std * Gaussian(rng);
        return System.Runtime.InteropServices.MemoryMarshal.AsBytes(v.AsSpan()).ToArray();
    }

    private static float Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }
}
