using System.Collections.Concurrent;
using Hearth.Gguf;
using Hearth.Tokenization;

namespace Hearth.Tests.Tokenization;

/// <summary>Tokenizers of the shared test vocabularies, loaded once per test run (tokenizer.json files take seconds).</summary>
internal static class Vocabs
{
    private static readonly ConcurrentDictionary<string, Lazy<Tokenizer>> Cache = new();

    /// <summary>Every vocabulary with llama.cpp vectors: (name, tokenizer source relative to testdata, vectors file).</summary>
    public static readonly (string Name, string Source, string Vectors)[] All =
    [
        ("stories260K", "gguf/stories260K.gguf", "gguf/stories260K.gguf"),
        ("llama-spm", "vocab/ggml-vocab-llama-spm.gguf", "vocab/ggml-vocab-llama-spm.gguf"),
        ("phi-3", "vocab/ggml-vocab-phi-3.gguf", "vocab/ggml-vocab-phi-3.gguf"),
        ("gpt-2", "vocab/ggml-vocab-gpt-2.gguf", "vocab/ggml-vocab-gpt-2.gguf"),
        ("mpt", "vocab/ggml-vocab-mpt.gguf", "vocab/ggml-vocab-mpt.gguf"),
        ("refact", "vocab/ggml-vocab-refact.gguf", "vocab/ggml-vocab-refact.gguf"),
        ("gpt-neox", "vocab/ggml-vocab-gpt-neox.gguf", "vocab/ggml-vocab-gpt-neox.gguf"),
        ("bert-bge", "vocab/ggml-vocab-bert-bge.gguf", "vocab/ggml-vocab-bert-bge.gguf"),
        ("llama-bpe", "tokenizers/llama3/tokenizer.json", "vocab/ggml-vocab-llama-bpe.gguf"),
        ("qwen2", "tokenizers/qwen3/tokenizer.json", "vocab/ggml-vocab-qwen2.gguf"),
    ];

    public static TheoryData<string> Names() => new(All.Select(v => v.Name));

    public static Tokenizer Get(string name)
    {
        var entry = All.First(v => v.Name == name);
        return Cache.GetOrAdd(entry.Source, s => new Lazy<Tokenizer>(() => Load(s))).Value;
    }

    public static string VectorsPath(string name) => TestData.PathOf(All.First(v => v.Name == name).Vectors);

    private static Tokenizer Load(string source)
    {
        string path = TestData.PathOf(source);
        if (path.EndsWith(".json", StringComparison.Ordinal)) return Tokenizer.FromTokenizerJson(path);
        using var file = GgufFile.Open(path);
        return Tokenizer.FromGguf(file);
    }
}
