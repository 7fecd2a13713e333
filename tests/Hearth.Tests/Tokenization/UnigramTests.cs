using Hearth.Gguf;
using Hearth.Tokenization;

namespace Hearth.Tests.Tokenization;

/// <summary>
/// The t5 (SentencePiece unigram) tokenizer on nomic-embed-text v2's vocabulary (XLM-RoBERTa's pieces and character
/// map): flags as llama.cpp reads them, the character map's normalisation, decoding back to the text. Its ids against
/// llama.cpp are checked in <see cref="LlamaCppComparisonTests"/>.
/// </summary>
public class UnigramTests
{
    private static Tokenizer Load()
    {
        using var file = GgufFile.Open(TestData.LocalPathOf("vocab/ggml-vocab-nomic-bert-moe.gguf"));
        return Tokenizer.FromGguf(file);
    }

    [Fact]
    public void Wraps_in_bos_and_eos_as_the_file_says_and_decodes_back()
    {
        var tok = Load();
        Assert.Equal("t5", tok.Model);
        Assert.Equal(250048, tok.VocabSize);
        string text = "Hello world, this is nomic embed.";
        var ids = tok.Encode(text, addSpecial: true);
        Assert.Equal(0, ids[0]);   // <s>
        Assert.Equal(2, ids[^1]);  // </s>
        Assert.True(ids.Length < text.Length / 2, "whole words should be single pieces");
        Assert.Equal(text, tok.Decode(ids, renderSpecial: false));
    }

    [Fact]
    public void The_character_map_normalises_and_extra_spaces_merge()
    {
        var tok = Load();
        // Full-width letters map to ASCII (NFKC in the precompiled map); runs of spaces count as one.
        Assert.Equal(tok.Encode("Hello world", addSpecial: false), tok.Encode("Ｈｅｌｌｏ   world", addSpecial: false));
        Assert.Equal(tok.Encode("a b", addSpecial: false), tok.Encode("  a \t b  ", addSpecial: false));
    }
}
