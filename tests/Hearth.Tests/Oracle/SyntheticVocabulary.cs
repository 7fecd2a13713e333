namespace Hearth.Tests.Oracle;

/// <summary>
/// A made-up SentencePiece vocabulary of any size ≥ 259, laid out as llama.cpp's converters write one
/// (tokenizer.ggml.model = "llama"): &lt;unk&gt; = 0, &lt;s&gt; = 1, &lt;/s&gt; = 2, the 256 byte tokens &lt;0x00&gt;..&lt;0xFF&gt; = 3..258
/// (llama.cpp looks up &lt;0x0A&gt; for the newline token), then "▁"-prefixed pieces with decreasing scores.
/// </summary>
internal static class SyntheticVocabulary
{
    public const int Unknown = 0, Bos = 1, Eos = 2, FirstByte = 3, FirstPiece = 259;

    // llama_token_type values in tokenizer.ggml.token_type.
    private const int Normal = 1, UnknownType = 2, Control = 3, ByteType = 6;

    public static (string[] Tokens, float[] Scores, int[] Types) Build(int size)
    {
        if (size < FirstPiece)
            throw new ArgumentOutOfRangeException(nameof(size), $"A SentencePiece vocabulary with byte fallback needs at least {FirstPiece} tokens, not {size}.");
        var tokens = new string[size];
        var scores = new float[size];
        var types = new int[size];
        (tokens[Unknown], types[Unknown]) = ("<unk>", UnknownType);
        (tokens[Bos], types[Bos]) = ("<s>", Control);
        (tokens[Eos], types[Eos]) = ("</s>", Control);
        for (int b = 0; b < 256; b++) (tokens[FirstByte + b], types[FirstByte + b]) = ($"<0x{b:X2}>", ByteType);

        // Pieces: single letters, then two-letter pairs, each with and without the word-start marker.
        const string letters = "etaoinshrdlucmfwypvbgkjqxz";
        var pieces = new List<string>(size - FirstPiece);
        foreach (char c in letters) { pieces.Add("\u2581" + c); pieces.Add(c.ToString()); }
        foreach (char a in letters)
            foreach (char c in letters) { pieces.Add("\u2581" + a + c); pieces.Add(a.ToString() + c); }
        if (pieces.Count < size - FirstPiece)
            throw new ArgumentOutOfRangeException(nameof(size), $"At most {FirstPiece + pieces.Count} tokens are supported.");
        for (int i = FirstPiece; i < size; i++)
        {
            tokens[i] = pieces[i - FirstPiece];
            scores[i] = -(i - FirstPiece); // earlier pieces merge first
            types[i] = Normal;
        }
        return (tokens, scores, types);
    }
}
