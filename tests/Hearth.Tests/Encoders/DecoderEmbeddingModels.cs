using Hearth.Gguf;
using Hearth.Numerics;
using Hearth.Tests.Architectures;

namespace Hearth.Tests.Encoders;

/// <summary>
/// Small random-weight <c>qwen3</c> decoders set up as Qwen3-Embedding (pooling last, EOS appended) and Qwen3-Reranker
/// (pooling rank, a two-row cls.output head labelled yes/no, a rerank prompt template) with the synthetic SentencePiece
/// vocabulary; written by Hearth's writer with llama.cpp's names. Cached per process.
/// </summary>
internal static class DecoderEmbeddingModels
{
    public const int Embd = 64, Heads = 4, HeadsKv = 2, Ff = 96, Blocks = 2, Vocab = 512;

    /// <summary>The rerank template the test files carry (the Qwen3-Reranker converter writes a longer one of this shape).</summary>
    public const string RerankTemplate = "<s>judge: does the document answer the query?\nquery: {query}\ndocument: {document}\nanswer:";

    private static readonly Dictionary<string, string> Paths = [];
    private static readonly Lock Gate = new();

    /// <summary>A qwen3 file with <paramref name="pooling"/> stated (null: no key, a plain chat model);
    /// <paramref name="head"/> adds cls.output for rank pooling.</summary>
    public static string Get(GgmlType type, PoolingType? pooling, bool head = true)
    {
        string key = $"{type}-{pooling?.ToString() ?? "unstated"}-{head}";
        lock (Gate)
        {
            if (Paths.TryGetValue(key, out var p) && File.Exists(p)) return p;
            string path = Path.Combine(Path.GetTempPath(), $"hearth-qwen3-embed-{key}-{Environment.ProcessId}.gguf");
            Write(path, type, pooling, head);
            Paths[key] = path;
            return path;
        }
    }

    private static void Write(string path, GgmlType type, PoolingType? pooling, bool head)
    {
        var w = new ArchitectureModelWriter("qwen3", type, seed: 11);
        w.Header(Embd, Blocks, Ff, Heads, HeadsKv, Vocab, ropeBase: 1e6f);
        if (pooling is { } kind) w.U32("pooling_type", (int)kind);
        if (pooling == PoolingType.Last) w.Metadata("tokenizer.ggml.add_eos_token", GgufValue.Bool(true));
        if (pooling == PoolingType.Rank)
        {
            w.Metadata("qwen3.classifier.output_labels", GgufValue.Array(new[] { "yes", "no" }));
            w.Metadata("tokenizer.chat_template.rerank", GgufValue.String(RerankTemplate));
        }
        int hd = Embd / Heads;
        w.Matrix("token_embd.weight", Embd, Vocab, gain: 8f);
        w.Vector("output_norm.weight", Embd);
        if (pooling == PoolingType.Rank && head) w.Matrix("cls.output.weight", Embd, 2, gain: 4f);
        for (int l = 0; l < Blocks; l++)
        {
            string p = $"blk.{l}.";
            w.Vector(p + "attn_norm.weight", Embd);
            w.Matrix(p + "attn_q.weight", Embd, Heads * hd);
            w.Matrix(p + "attn_k.weight", Embd, HeadsKv * hd);
            w.Matrix(p + "attn_v.weight", Embd, HeadsKv * hd);
            w.Vector(p + "attn_q_norm.weight", hd);
            w.Vector(p + "attn_k_norm.weight", hd);
            w.Matrix(p + "attn_output.weight", Heads * hd, Embd);
            w.Vector(p + "ffn_norm.weight", Embd);
            w.Matrix(p + "ffn_gate.weight", Embd, Ff);
            w.Matrix(p + "ffn_up.weight", Embd, Ff);
            w.Matrix(p + "ffn_down.weight", Ff, Embd);
        }
        w.WriteTo(path);
    }
}
