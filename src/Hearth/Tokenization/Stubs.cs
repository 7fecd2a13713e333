namespace Hearth.Tokenization;

internal sealed class PreTokenizer
{
    public bool AddBos => false;
    public bool IgnoreMerges => false;
    public static PreTokenizer ForName(string? name) => throw new NotSupportedException($"Pre-tokenizer '{name}' is not supported yet.");
    public SpecialTokenIds AdjustDefaults(SpecialTokenIds ids) => ids;
}

internal sealed class BpeMerges
{
    public static BpeMerges FromGguf(Vocabulary vocab, byte[][] merges) => throw new NotSupportedException();
}

internal sealed class BpeTokenizer(Vocabulary vocab, BpeMerges merges, PreTokenizer pre) : VocabularyTokenizer(vocab, "gpt2")
{
    protected override void EncodeText(ReadOnlySpan<byte> text, bool afterSpecial, IntList output) => throw new NotSupportedException($"{merges}{pre}");
}

internal sealed class WordPieceTokenizer(Vocabulary vocab) : VocabularyTokenizer(vocab, "bert")
{
    protected override void EncodeText(ReadOnlySpan<byte> text, bool afterSpecial, IntList output) => throw new NotSupportedException();
}

internal static class HuggingFaceTokenizerJson
{
    public static Tokenizer Load(string path) => throw new NotSupportedException(path);
}
