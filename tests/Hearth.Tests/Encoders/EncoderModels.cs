using Hearth.Gguf;
using Hearth.Numerics;
using Hearth.Tests.Architectures;

namespace Hearth.Tests.Encoders;

/// <summary>
/// Small random-weight encoder files (bert, nomic-bert, nomic-bert-moe, jina-bert-v2) with the real bge WordPiece vocabulary from the shared test
/// data, written by Hearth's writer with llama.cpp's key and tensor names. Cached per process.
/// </summary>
internal static class EncoderModels
{
    public const int Embd = 64, Heads = 4, Ff = 96, Blocks = 2, Context = 128;

    private static readonly Dictionary<string, string> Paths = [];
    private static readonly Lock Gate = new();

    public const int Experts = 4, ExpertsUsed = 2;

    /// <summary>A model file: <paramref name="arch"/> bert, nomic-bert, nomic-bert-moe or jina-bert-v2 (with
    /// <paramref name="fused"/>: its gate inside ffn_up and a second attention norm; without: a separate gate and q/k
    /// LayerNorms); <paramref name="pooling"/> llama.cpp's number; <paramref name="rankHead"/> adds cls / cls.output
    /// (a reranker; jina-bert-v2: cls to one output).</summary>
    public static string Get(string arch, GgmlType type, PoolingType pooling, bool rankHead = false, int outputs = 1, bool fused = false)
    {
        string key = $"{arch}-{type}-{pooling}-{rankHead}-{outputs}-{fused}";
        lock (Gate)
        {
            if (Paths.TryGetValue(key, out var p) && File.Exists(p)) return p;
            string path = Path.Combine(Path.GetTempPath(), $"hearth-encoder-{key}-{Environment.ProcessId}.gguf");
            Write(path, arch, type, pooling, rankHead, outputs, fused);
            Paths[key] = path;
            return path;
        }
    }

    /// <summary>Blocks of the modern-bert files: block 0 global, 1 and 2 local (sliding window 8, pattern 3).</summary>
    public const int ModernBlocks = 3, ModernWindow = 8;

    private static void WriteModernBert(string path, GgmlType type, PoolingType pooling, bool rankHead, int outputs)
    {
        var w = new ArchitectureModelWriter("modern-bert", type, seed: 7);
        w.General(Embd, ModernBlocks, Ff, Heads, Heads, Context);
        w.F32("attention.layer_norm_epsilon", 1e-5f);
        w.Bool("attention.causal", false);
        w.U32("pooling_type", (int)pooling);
        w.F32("rope.freq_base", 160000f);
        w.F32("rope.freq_base_swa", 10000f);
        w.U32("attention.sliding_window", ModernWindow);
        w.U32("attention.sliding_window_pattern", 3);
        if (outputs > 1) w.Metadata("modern-bert.classifier.output_labels", GgufValue.Array(Enumerable.Range(0, outputs).Select(i => $"label{i}").ToArray()));
        int vocab = CopyVocabulary(w);
        w.Matrix("token_embd.weight", Embd, vocab, gain: 8f);
        w.Vector("token_embd_norm.weight", Embd);
        for (int l = 0; l < ModernBlocks; l++)
        {
            string p = $"blk.{l}.";
            if (l > 0) w.Vector(p + "attn_norm.weight", Embd);
            w.Matrix(p + "attn_qkv.weight", Embd, 3 * Embd);
            w.Matrix(p + "attn_output.weight", Embd, Embd);
            w.Vector(p + "ffn_norm.weight", Embd);
            w.Matrix(p + "ffn_up.weight", Embd, 2 * Ff);
            w.Matrix(p + "ffn_down.weight", Ff, Embd);
        }
        w.Vector("output_norm.weight", Embd);
        if (rankHead)
        {
            w.Matrix("cls.weight", Embd, Embd);
            w.Vector("cls.norm.weight", Embd);
            w.Matrix("cls.output.weight", Embd, outputs, gain: 4f);
            w.Vector("cls.output.bias", outputs, mean: 0f);
        }
        w.WriteTo(path);
    }

    // The bge WordPiece vocabulary's tokenizer.* keys; returns its size.
    private static int CopyVocabulary(ArchitectureModelWriter w)
    {
        using var v = GgufFile.Open(TestData.PathOf("vocab/ggml-vocab-bert-bge.gguf"));
        foreach (var kv in v.MetadataEntries)
        {
            if (kv.Key.StartsWith("tokenizer.", StringComparison.Ordinal)) w.Metadata(kv.Key, kv.Value);
        }
        return v.GetArray<string>("tokenizer.ggml.tokens")!.Length;
    }

    private static void Write(string path, string arch, GgmlType type, PoolingType pooling, bool rankHead, int outputs, bool fused)
    {
        if (arch == "modern-bert")
        {
            WriteModernBert(path, type, pooling, rankHead, outputs);
            return;
        }
        bool bert = arch == "bert", jina = arch == "jina-bert-v2", moe = arch == "nomic-bert-moe";
        bool biases = bert || jina || moe;
        var w = new ArchitectureModelWriter(arch, type, seed: 7);
        w.General(Embd, Blocks, Ff, Heads, Heads, Context);
        w.F32("attention.layer_norm_epsilon", 1e-12f);
        w.Bool("attention.causal", false);
        w.U32("pooling_type", (int)pooling);
        if (arch is "nomic-bert" or "nomic-bert-moe") w.F32("rope.freq_base", 1000f);
        if (moe)
        {
            w.U32("moe_every_n_layers", 2);
            w.U32("expert_count", Experts);
            w.U32("expert_used_count", ExpertsUsed);
        }
        if (outputs > 1) w.Metadata($"{arch}.classifier.output_labels", GgufValue.Array(Enumerable.Range(0, outputs).Select(i => $"label{i}").ToArray()));
        int vocab;
        using (var v = GgufFile.Open(TestData.PathOf("vocab/ggml-vocab-bert-bge.gguf")))
        {
            foreach (var kv in v.MetadataEntries)
            {
                if (kv.Key.StartsWith("tokenizer.", StringComparison.Ordinal)) w.Metadata(kv.Key, kv.Value);
            }
            vocab = v.GetArray<string>("tokenizer.ggml.tokens")!.Length;
        }
        w.Matrix("token_embd.weight", Embd, vocab, gain: 8f);
        w.Matrix("token_types.weight", Embd, 2, gain: 2f, type: GgmlType.F32);
        if (bert) w.Matrix("position_embd.weight", Embd, Context, gain: 4f, type: GgmlType.F32);
        w.Vector("token_embd_norm.weight", Embd);
        w.Vector("token_embd_norm.bias", Embd, mean: 0f);
        for (int l = 0; l < Blocks; l++)
        {
            string p = $"blk.{l}.";
            if (moe)
            {
                w.Matrix(p + "attn_qkv.weight", Embd, 3 * Embd);
                w.Vector(p + "attn_qkv.bias", 3 * Embd, mean: 0f);
            }
            else
            {
                foreach (string m in new[] { "attn_q", "attn_k", "attn_v" })
                {
                    w.Matrix(p + m + ".weight", Embd, Embd);
                    if (biases) w.Vector(p + m + ".bias", Embd, mean: 0f);
                }
            }
            if (jina && !fused)
            {
                foreach (string m in new[] { "attn_q_norm", "attn_k_norm" })
                {
                    w.Vector(p + m + ".weight", Embd);
                    w.Vector(p + m + ".bias", Embd, mean: 0f);
                }
            }
            w.Matrix(p + "attn_output.weight", Embd, Embd);
            if (biases) w.Vector(p + "attn_output.bias", Embd, mean: 0f);
            w.Vector(p + "attn_output_norm.weight", Embd);
            w.Vector(p + "attn_output_norm.bias", Embd, mean: 0f);
            if (jina && fused)
            {
                w.Vector(p + "attn_norm_2.weight", Embd);
                w.Vector(p + "attn_norm_2.bias", Embd, mean: 0f);
            }
            if (moe && l % 2 == 1)
            {
                w.Matrix(p + "ffn_gate_inp.weight", Embd, Experts, gain: 4f, type: GgmlType.F32);
                w.Tensor3(p + "ffn_up_exps.weight", Embd, Ff, Experts);
                w.Tensor3(p + "ffn_down_exps.weight", Ff, Embd, Experts);
            }
            else
            {
                w.Matrix(p + "ffn_up.weight", Embd, jina && fused ? 2 * Ff : Ff);
                if (biases) w.Vector(p + "ffn_up.bias", jina && fused ? 2 * Ff : Ff, mean: 0f);
                if (arch == "nomic-bert" || (jina && !fused)) w.Matrix(p + "ffn_gate.weight", Embd, Ff);
                w.Matrix(p + "ffn_down.weight", Ff, Embd);
                if (biases) w.Vector(p + "ffn_down.bias", Embd, mean: 0f);
            }
            w.Vector(p + "layer_output_norm.weight", Embd);
            w.Vector(p + "layer_output_norm.bias", Embd, mean: 0f);
        }
        if (rankHead && jina)
        {
            w.Matrix("cls.weight", Embd, 1, gain: 4f);
            w.Vector("cls.bias", 1, mean: 0f);
        }
        else         if (rankHead)
        {
            w.Matrix("cls.weight", Embd, Embd);
            w.Vector("cls.bias", Embd, mean: 0f);
            w.Matrix("cls.output.weight", Embd, outputs, gain: 4f);
            w.Vector("cls.output.bias", outputs, mean: 0f);
        }
        w.WriteTo(path);
    }
}
