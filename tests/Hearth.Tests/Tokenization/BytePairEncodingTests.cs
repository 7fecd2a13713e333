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
