using Hearth.Gguf;
using Hearth.Tokenization;

namespace Hearth.Tests.Tokenization;

/// <summary>Bad tokenizer metadata and bad ids: each is a clear exception naming what is wrong.</summary>
public class TokenizerErrorTests
{
    private static Tokenizer Rewrite(string source, Action<GgufWriter> change)
    {
        using var src = GgufFile.Open(TestData.PathOf(source));
        var w = GgufWriter.From(src);
        change(w);
        using var file = GgufFile.FromBytes(w.ToArray());
        return Tokenizer.FromGguf(file);
    }

    private static string[] Tokens(string source)
    {
        using var src = GgufFile.Open(TestData.PathOf(source));
        return src.GetArray<string>("tokenizer.ggml.tokens")!;
    }

    [Fact]
    public void Unknown_model_names_it_and_lists_supported_ones()
    {
        var e = Assert.Throws<NotSupportedException>(() => Rewrite("gguf/stories260K.gguf",
            w => w.SetMetadata("tokenizer.ggml.model", GgufValue.String("rwkv"))));
        Assert.Contains("'rwkv'", e.Message);
        Assert.Contains("llama", e.Message);
        Assert.Contains("gpt2", e.Message);
        Assert.Contains("bert", e.Message);
    }

    [Fact]
    public void Unknown_pre_tokenizer_names_it_and_lists_supported_ones()
    {
        var e = Assert.Throws<NotSupportedException>(() => Rewrite("vocab/ggml-vocab-gpt-2.gguf",
            w => w.SetMetadata("tokenizer.ggml.pre", GgufValue.String("not-a-real-pre"))));
        Assert.Contains("'not-a-real-pre'", e.Message);
        Assert.Contains("llama-bpe", e.Message);
        Assert.Contains("qwen2", e.Message);
        Assert.Contains("deepseek-v3", e.Message);
    }

    [Fact]
    public void Missing_model_key_is_a_clear_error()
    {
        using var src = GgufFile.Open(TestData.PathOf("gguf/stories260K.gguf"));
        var w = new GgufWriter();
        foreach (var kv in src.MetadataEntries)
            if (kv.Key != "tokenizer.ggml.model") w.SetMetadata(kv.Key, kv.Value);
        using var file = GgufFile.FromBytes(w.ToArray());
        var e = Assert.Throws<ModelConfigurationException>(() => Tokenizer.FromGguf(file));
        Assert.Contains("tokenizer.ggml.model", e.Message);
    }

    [Fact]
    public void Scores_of_another_length_than_tokens_is_an_error()
    {
        var e = Assert.Throws<ModelConfigurationException>(() => Rewrite("gguf/stories260K.gguf",
            w => w.SetMetadata("tokenizer.ggml.scores", GgufValue.Array(new float[100]))));
        Assert.Contains("tokenizer.ggml.scores has 100 entries", e.Message);
        Assert.Contains("512", e.Message);
    }

    [Fact]
    public void Token_types_of_another_length_than_tokens_is_an_error()
    {
        var e = Assert.Throws<ModelConfigurationException>(() => Rewrite("gguf/stories260K.gguf",
            w => w.SetMetadata("tokenizer.ggml.token_type", GgufValue.Array(new int[513]))));
        Assert.Contains("tokenizer.ggml.token_type has 513 entries", e.Message);
    }

    [Fact]
    public void Merge_naming_an_unknown_token_is_an_error()
    {
        var e = Assert.Throws<ModelConfigurationException>(() => Rewrite("vocab/ggml-vocab-gpt-2.gguf",
            w => w.SetMetadata("tokenizer.ggml.merges", GgufValue.Array(["h e", "zz\u0100q xy"]))));
        Assert.Contains("tokenizer.ggml.merges[1]", e.Message);
        Assert.Contains("zz\u0100q", e.Message);
        Assert.Contains("not a token", e.Message);
    }

    [Fact]
    public void Merge_without_a_separator_is_an_error()
    {
        var e = Assert.Throws<ModelConfigurationException>(() => Rewrite("vocab/ggml-vocab-gpt-2.gguf",
            w => w.SetMetadata("tokenizer.ggml.merges", GgufValue.Array(["h e", "he"]))));
        Assert.Contains("tokenizer.ggml.merges[1]", e.Message);
    }

    [Fact]
    public void Missing_merges_is_an_error()
    {
        using var src = GgufFile.Open(TestData.PathOf("vocab/ggml-vocab-gpt-2.gguf"));
        var w = new GgufWriter();
        foreach (var kv in src.MetadataEntries)
            if (kv.Key != "tokenizer.ggml.merges") w.SetMetadata(kv.Key, kv.Value);
        using var file = GgufFile.FromBytes(w.ToArray());
        var e = Assert.Throws<ModelConfigurationException>(() => Tokenizer.FromGguf(file));
        Assert.Contains("tokenizer.ggml.merges", e.Message);
    }

    [Fact]
    public void Duplicate_token_text_is_an_error()
    {
        string[] tokens = Tokens("gguf/stories260K.gguf");
        tokens[400] = tokens[300];
        var e = Assert.Throws<ModelConfigurationException>(() => Rewrite("gguf/stories260K.gguf",
            w => w.SetMetadata("tokenizer.ggml.tokens", GgufValue.Array(tokens))));
        Assert.Contains("300", e.Message);
        Assert.Contains("400", e.Message);
    }

    [Fact]
    public void Token_type_that_is_not_an_integer_array_is_an_error()
    {
        var e = Assert.Throws<ModelConfigurationException>(() => Rewrite("gguf/stories260K.gguf",
            w => w.SetMetadata("tokenizer.ggml.token_type", GgufValue.Array(new float[512]))));
        Assert.Contains("tokenizer.ggml.token_type", e.Message);
    }

    [Fact]
    public void Out_of_range_ids_in_decode_are_argument_errors_naming_the_id()
    {
        var tok = Vocabs.Get("stories260K");
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => tok.Decode([5, 512]));
        Assert.Contains("512", e.Message);
        Assert.Contains("0..511", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => tok.Decode([-1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => tok.TokenBytes(100000));
        Assert.Throws<ArgumentOutOfRangeException>(() => tok.TokenPiece(-3));
        Assert.False(tok.IsEndOfGeneration(-1));
        Assert.False(tok.IsEndOfGeneration(512));
    }

    [Fact]
    public void Special_id_outside_the_vocabulary_keeps_the_default_as_llama_cpp_does()
    {
        var tok = Rewrite("gguf/stories260K.gguf", w => w.SetMetadata("tokenizer.ggml.bos_token_id", GgufValue.UInt32(9999)));
        Assert.Equal(1, tok.BosId);
    }

    /// <summary>
    /// Token texts that are not valid UTF-8 (some vocabularies have them) are kept byte for byte: the token renders to
    /// exactly its bytes and completes a character together with the next token.
    /// </summary>
    [Fact]
    public void Token_text_that_is_not_valid_utf8_keeps_its_exact_bytes()
    {
        using var src = GgufFile.Open(TestData.PathOf("gguf/stories260K.gguf"));
        string[] tokens = src.GetArray<string>("tokenizer.ggml.tokens")!;
        var raw = new byte[]?[tokens.Length];
        raw[300] = [0xE4, 0xBD];  // the first two bytes of '你' (E4 BD A0)
        tokens[300] = "\uFFFD";
        var w = GgufWriter.From(src);
        w.SetMetadata("tokenizer.ggml.tokens", new GgufValue(tokens, raw));
        using var file = GgufFile.FromBytes(w.ToArray());
        var tok = Tokenizer.FromGguf(file);
        Assert.Equal(new byte[] { 0xE4, 0xBD }, tok.TokenBytes(300).ToArray());
        int a0 = 3 + 0xA0; // <0xA0>
        Assert.Equal("你", tok.Decode([300, a0]));
        var stream = tok.CreateStreamingDecoder();
        Assert.Equal("", stream.Add(300));
        Assert.True(stream.HasPending);
        Assert.Equal("你", stream.Add(a0));
    }
}
