namespace Hearth.Tokenization;

internal sealed class WordPieceTokenizer(Vocabulary vocab) : VocabularyTokenizer(vocab, "bert")
{
    protected override void EncodeText(ReadOnlySpan<byte> text, bool afterSpecial, IntList output) => throw new NotSupportedException();
}
