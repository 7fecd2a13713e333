using System.Text;

namespace Hearth.Tokenization;

/// <summary>
/// Turns a stream of UTF-8 byte chunks (token pieces) into text, holding back a multi-byte character whose bytes are
/// split across chunks until it is complete. Bytes that can never form a valid character become U+FFFD.
/// </summary>
internal sealed class Utf8StreamDecoder
{
    // Strict UTF-8 with replacement: the decoder keeps the bytes of an incomplete trailing sequence between calls.
    private readonly Decoder _decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();
    private char[] _buffer = new char[64];

    /// <summary>Whether bytes of an incomplete character are held back.</summary>
    public bool HasPending { get; private set; }

    /// <summary>Decodes <paramref name="bytes"/> into <paramref name="dest"/> (which needs bytes.Length + 4 chars); returns the chars written.</summary>
    public int Decode(ReadOnlySpan<byte> bytes, Span<char> dest)
    {
        int n = _decoder.GetChars(bytes, dest, flush: false);
        HasPending = _decoder.GetCharCount([], flush: true) > 0;
        return n;
    }

    /// <summary>Decodes <paramref name="bytes"/>; returns the text that is complete so far (possibly empty).</summary>
    public string Push(ReadOnlySpan<byte> bytes)
    {
        int need = bytes.Length + 4;
        if (_buffer.Length < need) _buffer = new char[Math.Max(need, _buffer.Length * 2)];
        int n = Decode(bytes, _buffer);
        return n == 0 ? string.Empty : new string(_buffer, 0, n);
    }

    /// <summary>Ends the stream: held-back bytes of an incomplete character come out as U+FFFD.</summary>
    public string Flush()
    {
        Span<char> tail = stackalloc char[8];
        int n = _decoder.GetChars([], tail, flush: true);
        HasPending = false;
        return n == 0 ? string.Empty : new string(tail[..n]);
    }

    /// <summary>Forgets held-back bytes.</summary>
    public void Reset()
    {
        _decoder.Reset();
        HasPending = false;
    }
}
