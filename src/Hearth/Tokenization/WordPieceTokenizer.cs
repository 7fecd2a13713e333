using System.Text;
using Hearth.Gguf;

namespace Hearth.Tokenization;

/// <summary>
/// WordPiece as llama.cpp runs it for <c>tokenizer.ggml.model = bert</c>: characters are reduced to the first code
/// point of their NFD form and lower-cased, and combining marks are dropped; whitespace separates words; punctuation, ASCII symbols
/// and CJK ideographs are words of their own; control characters vanish. Each word, prefixed with '▁' (how GGUF
/// stores word-initial pieces), is covered by longest vocabulary matches from the left; a word that cannot be covered
/// becomes the unknown token. With addSpecial the sequence is wrapped in BOS ([CLS]) and SEP ([SEP]).
/// </summary>
internal sealed class WordPieceTokenizer(Vocabulary vocab) : VocabularyTokenizer(vocab, "bert")
{
    protected override bool AddsBos => true;

    protected override bool AddsEos => true;

    protected override bool AddsSeparatorAsEos => true;

    protected override void EncodeText(ReadOnlySpan<byte> text, bool afterSpecial, IntList output)
    {
        var word = new List<byte>(32);
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < text.Length;)
        {
            int cp = NfdFirstTable.Map(Utf8Lenient.Next(text, ref i));
            var flags = CharClass.Of(cp);
            if ((flags & CharFlags.Whitespace) != 0)
            {
                EncodeWord(word, output);
                continue;
            }
            // Current llama.cpp also drops combining marks (accents left over after NFD, vowel signs), as BERT's strip_accents.
            if (cp == 0 || cp == 0xFFFD || (flags & (CharFlags.Control | CharFlags.Mark)) != 0) continue;
            int lower = Rune.IsValid(cp) ? Rune.ToLowerInvariant(new Rune(cp)).Value : cp;
            bool alone = (flags & CharFlags.Punctuation) != 0 || (cp < 0x7F && (flags & CharFlags.Symbol) != 0) || IsChineseChar(cp);
            if (alone) EncodeWord(word, output);
            int n = Rune.IsValid(lower) ? new Rune(lower).EncodeToUtf8(utf8) : 0;
            for (int k = 0; k < n; k++) word.Add(utf8[k]);
            if (alone) EncodeWord(word, output);
        }
        EncodeWord(word, output);
    }

    /// <summary>Emits the pieces of <paramref name="word"/> (then clears it); nothing for an empty word.</summary>
    private void EncodeWord(List<byte> word, IntList output)
    {
        if (word.Count == 0) return;
        var buffer = new byte[word.Count + 3];
        "\u2581"u8.CopyTo(buffer);
        word.CopyTo(buffer, 3);
        word.Clear();
        int n = buffer.Length, maxLength = Vocab.Texts.MaxLength, before = output.Count;
        for (int i = 0; i < n;)
        {
            int matched = -1;
            for (int j = Math.Min(n, i + maxLength + 1); j > i; j--)
            {
                int id = Vocab.Texts.Find(buffer.AsSpan(i, j - i));
                if (id >= 0)
                {
                    output.Add(id);
                    matched = j;
                    break;
                }
            }
            if (matched < 0)
            {
                output.Truncate(before); // one unknown token for the whole word
                break;
            }
            i = matched;
        }
        if (output.Count == before)
        {
            output.Add(Vocab.Ids.Unk >= 0 ? Vocab.Ids.Unk : throw new ModelConfigurationException(
                "The vocabulary has no unknown token ([UNK] / tokenizer.ggml.unknown_token_id) for a word it cannot spell.", "tokenizer.ggml.unknown_token_id"));
        }
    }

    // CJK ideograph blocks as BERT defines them (the third extension range starts at U+2B920 as in its reference code).
    private static bool IsChineseChar(int cp) =>
        (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
        || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF)
        || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}
