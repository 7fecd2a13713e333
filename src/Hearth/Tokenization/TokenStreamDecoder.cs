namespace Hearth.Tokenization;

/// <summary>
/// Detokenizes generated tokens one at a time (see <see cref="Tokenizer.CreateStreamingDecoder"/>): each token's bytes
/// are appended and only complete UTF-8 text is returned, so a character split across tokens (byte-fallback or
/// byte-level pieces of an emoji, CJK, ...) appears once, whole. Pieces are joined as they are, with no space removal.
/// </summary>
public sealed class TokenStreamDecoder
{
    private readonly Tokenizer _tokenizer;
    private readonly bool _renderSpecial;
    private readonly Utf8StreamDecoder _utf8 = new();

    internal TokenStreamDecoder(Tokenizer tokenizer, bool renderSpecial)
    {
        _tokenizer = tokenizer;
        _renderSpecial = renderSpecial;
    }

    /// <summary>Whether bytes of an incomplete character are held back.</summary>
    public bool HasPending => _utf8.HasPending;

    /// <summary>Appends one token; returns the text it completes (often empty for a partial character).</summary>
    public string Add(int id)
    {
        if (!_renderSpecial && (_tokenizer.GetAttributes(id) & (TokenAttributes.Control | TokenAttributes.Unknown)) != 0) return string.Empty;
        return _utf8.Push(_tokenizer.TokenBytes(id));
    }

    /// <summary>Ends the stream: an incomplete trailing character comes out as U+FFFD.</summary>
    public string Flush() => _utf8.Flush();
}
