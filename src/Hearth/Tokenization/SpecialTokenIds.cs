namespace Hearth.Tokenization;

/// <summary>The special token ids of a vocabulary; -1 where there is none.</summary>
internal sealed class SpecialTokenIds
{
    public int Bos = -1;
    public int Eos = -1;
    public int Eot = -1;
    public int Eom = -1;
    public int Unk = -1;
    public int Sep = -1;
    public int Pad = -1;
    public int Mask = -1;
    public int FimPre = -1;
    public int FimSuf = -1;
    public int FimMid = -1;
    public int FimPad = -1;
    public int FimRep = -1;
    public int FimSep = -1;

    /// <summary>Defaults llama.cpp assumes per model before reading the file's own ids.</summary>
    public static SpecialTokenIds DefaultsFor(VocabularyKind kind) => kind switch
    {
        VocabularyKind.SentencePiece => new() { Bos = 1, Eos = 2, Unk = 0 },
        VocabularyKind.WordPiece => new() { Bos = 101, Unk = 100, Sep = 102, Pad = 0, Mask = 103 },
        VocabularyKind.SpaceEscapedBpe => new(),
        VocabularyKind.Unigram => new() { Eos = 1, Unk = 2, Pad = 0 },
        // llama.cpp's defaults for gpt2 vocabularies (id 11 is meaningless but kept for identical behaviour).
        _ => new() { Bos = 11, Eos = 11 },
    };
}
