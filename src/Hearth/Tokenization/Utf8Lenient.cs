namespace Hearth.Tokenization;

/// <summary>
/// UTF-8 decoding the way llama.cpp's tokenizers read text: a lead byte announces the length, continuation bytes are
/// checked, and a byte that cannot start a valid sequence becomes U+FFFD and consumes one byte.
/// </summary>
internal static class Utf8Lenient
{
    /// <summary>Length a lead byte announces (1 for ASCII and stray continuation bytes, 2..4 otherwise).</summary>
    public static int SequenceLength(byte lead) => (lead >> 4) switch
    {
        < 0xC => 1,
        0xC or 0xD => 2,
        0xE => 3,
        _ => 4,
    };

    /// <summary>Decodes the code point at <paramref name="i"/> and advances past it.</summary>
    public static int Next(ReadOnlySpan<byte> s, ref int i)
    {
        byte b0 = s[i];
        if (b0 < 0x80) { i++; return b0; }
        if ((b0 & 0x40) == 0) { i++; return 0xFFFD; }
        if ((b0 & 0x20) == 0)
        {
            if (i + 1 >= s.Length || (s[i + 1] & 0xC0) != 0x80) { i++; return 0xFFFD; }
            int r = ((b0 & 0x1F) << 6) | (s[i + 1] & 0x3F);
            i += 2;
            return r;
        }
        if ((b0 & 0x10) == 0)
        {
            if (i + 2 >= s.Length || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80) { i++; return 0xFFFD; }
            int r = ((b0 & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
            i += 3;
            return r;
        }
        if ((b0 & 0x08) == 0)
        {
            if (i + 3 >= s.Length || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80 || (s[i + 3] & 0xC0) != 0x80) { i++; return 0xFFFD; }
            int r = ((b0 & 0x07) << 18) | ((s[i + 1] & 0x3F) << 12) | ((s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);
            i += 4;
            return r;
        }
        i++;
        return 0xFFFD;
    }
}
