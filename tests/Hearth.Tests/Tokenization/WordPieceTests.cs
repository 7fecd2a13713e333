using Hearth.Gguf;
using Hearth.Tokenization;

namespace Hearth.Tests.Tokenization;

public class WordPieceTests
{
    private static Tokenizer Load() => Vocabs.Get("bert-bge");

    [Fact]
    public void Matches_llama_cpp_test_vectors()
    {
        string path = TestData.PathOf("vocab/ggml-vocab-bert-bge.gguf");
        using var gguf = GgufFile.Open(path);
        var tok = Tokenizer.FromGguf(gguf);
        Assert.Equal("bert", tok.Model);
        TokenizerVectors.AssertAll(TokenizerVectors.Load(path), t => tok.Encode(t, addSpecial: false, parseSpecial: false));
    }

    [Fact]
    public void AddSpecial_wraps_in_cls_and_sep()
    {
        var tok = Load();
        int[] ids = tok.Encode("hello world", addSpecial: true);
        Assert.Equal(101, ids[0]);  // [CLS]
        Assert.Equal(102, ids[^1]); // [SEP]
        Assert.Equal(tok.Encode("hello world", addSpecial: false), ids[1..^1]);
    }

    [Fact]
    public void Accents_and_case_are_folded()
    {
        var tok = Load();
        Assert.Equal(tok.Encode("cafe", addSpecial: false), tok.Encode("CAFÉ", addSpecial: false));
    }
}
