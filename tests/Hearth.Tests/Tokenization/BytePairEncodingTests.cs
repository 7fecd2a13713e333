using Hearth.Gguf;
using Hearth.Tokenization;

namespace Hearth.Tests.Tokenization;

public class BytePairEncodingTests
{
    [Theory]
    [InlineData("vocab/ggml-vocab-gpt-2.gguf", "gpt-2")]
    [InlineData("vocab/ggml-vocab-mpt.gguf", "mpt")]
    [InlineData("vocab/ggml-vocab-refact.gguf", "refact")]
    [InlineData("vocab/ggml-vocab-gpt-neox.gguf", "default")]
    public void Matches_llama_cpp_test_vectors(string file, string pre)
    {
        string path = TestData.PathOf(file);
        using var gguf = GgufFile.Open(path);
        var tok = Tokenizer.FromGguf(gguf);
        Assert.Equal("gpt2", tok.Model);
        Assert.Equal(pre, tok.PreTokenizer);
        TokenizerVectors.AssertAll(TokenizerVectors.Load(path), t => tok.Encode(t, addSpecial: false, parseSpecial: false));
    }
}

/// <summary>Vectors whose GGUF is too large to ship: the same vocabulary comes from a Hugging Face tokenizer.json.</summary>
public class TokenizerJsonTests
{
    [Theory]
    [InlineData("tokenizers/llama3/tokenizer.json", "vocab/ggml-vocab-llama-bpe.gguf", "llama-bpe")]
    [InlineData("tokenizers/qwen3/tokenizer.json", "vocab/ggml-vocab-qwen2.gguf", "qwen2")]
    public void Matches_llama_cpp_test_vectors(string json, string vectors, string pre)
    {
        Assert.Contains(Vocabs.All, v => v.Name == pre && v.Source == json);
        var tok = Vocabs.Get(pre);
        Assert.Equal(pre, tok.PreTokenizer);
        TokenizerVectors.AssertAll(TokenizerVectors.Load(TestData.PathOf(vectors)), t => tok.Encode(t, addSpecial: false, parseSpecial: false));
    }
}

/// <summary>The 2026 vocabularies shipped in this repository: Qwen3.5 (gpt2 + qwen35) and Gemma 4 (gemma4 model).</summary>
public class NewVocabularyTests
{
    [Theory]
    [InlineData("vocab/ggml-vocab-qwen35.gguf", "gpt2", "qwen35")]
    [InlineData("vocab/ggml-vocab-gemma-4.gguf", "gemma4", "gemma4")]
    public void Matches_llama_cpp_test_vectors(string file, string model, string pre)
    {
        string path = TestData.LocalPathOf(file);
        using var gguf = GgufFile.Open(path);
        var tok = Tokenizer.FromGguf(gguf);
        Assert.Equal(model, tok.Model);
        Assert.Equal(pre, tok.PreTokenizer);
        TokenizerVectors.AssertAll(TokenizerVectors.Load(path), t => tok.Encode(t, addSpecial: false, parseSpecial: false));
    }

    [Fact]
    public void Gemma4_decodes_escaped_spaces_and_byte_tokens_back_to_text()
    {
        using var gguf = GgufFile.Open(TestData.LocalPathOf("vocab/ggml-vocab-gemma-4.gguf"));
        var tok = Tokenizer.FromGguf(gguf);
        Assert.True(tok.AddBos);
        foreach (string text in new[] { "Hello  world", " leading\n\n\ttabs \u0001 😀 ️", "日本語 テキスト" })
        {
            int[] ids = tok.Encode(text, addSpecial: true, parseSpecial: false);
            Assert.Equal(tok.BosId, ids[0]);
            Assert.Equal(text, tok.Decode(ids.AsSpan(1), renderSpecial: false));
        }
    }
}
