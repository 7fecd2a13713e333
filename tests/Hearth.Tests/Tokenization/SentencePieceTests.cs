using Hearth.Gguf;
using Hearth.Tokenization;

namespace Hearth.Tests.Tokenization;

public class SentencePieceTests
{
    [Theory]
    [InlineData("gguf/stories260K.gguf")]
    [InlineData("vocab/ggml-vocab-llama-spm.gguf")]
    [InlineData("vocab/ggml-vocab-phi-3.gguf")]
    public void Matches_llama_cpp_test_vectors(string file)
    {
        string path = TestData.PathOf(file);
        using var gguf = GgufFile.Open(path);
        var tok = Tokenizer.FromGguf(gguf);
        Assert.Equal("llama", tok.Model);
        TokenizerVectors.AssertAll(TokenizerVectors.Load(path), t => tok.Encode(t, addSpecial: false, parseSpecial: false));
    }

    [Fact]
    public void Stories260K_special_ids_and_flags_come_from_metadata()
    {
        using var gguf = GgufFile.Open(TestData.PathOf("gguf/stories260K.gguf"));
        var tok = Tokenizer.FromGguf(gguf);
        Assert.Equal(512, tok.VocabSize);
        Assert.Equal(1, tok.BosId);
        Assert.Equal(2, tok.EosId);
        Assert.Equal(0, tok.UnknownId);
        Assert.Equal(-1, tok.PadId); // 0xFFFFFFFF in the file means none
        Assert.True(tok.AddBos);     // llama default when the key is absent
        Assert.False(tok.AddEos);
        Assert.True(tok.IsEndOfGeneration(2));
        Assert.False(tok.IsEndOfGeneration(1));
        Assert.Equal("<s>", tok.TokenPiece(1));
        Assert.Equal(TokenAttributes.Control, tok.GetAttributes(1));
        Assert.Equal(TokenAttributes.Byte, tok.GetAttributes(3 + 0x41));
        Assert.Equal("A"u8.ToArray(), tok.TokenBytes(3 + 0x41).ToArray()); // <0x41>
    }

    /// <summary>The prompt of testdata/gguf/expected (tokenized by llama.cpp with add_special and parse_special).</summary>
    [Fact]
    public void Stories260K_prompt_matches_recorded_llama_cpp_tokens()
    {
        using var gguf = GgufFile.Open(TestData.PathOf("gguf/stories260K.gguf"));
        var tok = Tokenizer.FromGguf(gguf);
        string json = File.ReadAllText(TestData.PathOf("gguf/expected/stories260K.once-upon-a-time.json"));
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var root = doc.RootElement;
        string prompt = root.GetProperty("prompt").GetString()!;
        int[] expected = [.. root.GetProperty("prompt_tokens").EnumerateArray().Select(e => e.GetInt32())];
        Assert.Equal(expected, tok.Encode(prompt, addSpecial: true, parseSpecial: true));
    }

    [Fact]
    public void Special_token_text_is_a_control_token_only_when_parsing_specials()
    {
        using var gguf = GgufFile.Open(TestData.PathOf("vocab/ggml-vocab-llama-spm.gguf"));
        var tok = Tokenizer.FromGguf(gguf);
        int[] parsed = tok.Encode("<s>Hi</s>", addSpecial: false, parseSpecial: true);
        Assert.Equal(1, parsed[0]);
        Assert.Equal(2, parsed[^1]);
        int[] plain = tok.Encode("<s>Hi</s>", addSpecial: false, parseSpecial: false);
        Assert.DoesNotContain(1, plain);
        Assert.DoesNotContain(2, plain);
        Assert.Equal("<s>Hi</s>", tok.Decode(plain));
    }

    [Fact]
    public void AddSpecial_puts_BOS_first_and_no_EOS()
    {
        using var gguf = GgufFile.Open(TestData.PathOf("vocab/ggml-vocab-llama-spm.gguf"));
        var tok = Tokenizer.FromGguf(gguf);
        Assert.Equal([1], tok.Encode("", addSpecial: true));
        Assert.Empty(tok.Encode("", addSpecial: false));
        int[] ids = tok.Encode("Hello world", addSpecial: true);
        Assert.Equal(1, ids[0]);
        Assert.Equal(tok.Encode("Hello world", addSpecial: false), ids[1..]);
        Assert.Equal("Hello world", tok.Decode(ids));
    }
}
