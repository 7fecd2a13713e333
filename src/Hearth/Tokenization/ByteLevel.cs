using System.Text;

namespace Hearth.Tokenization;

/// <summary>
/// GPT-2's byte-level alphabet: each of the 256 byte values is written as one printable code point, so byte-level BPE
/// vocabularies store every token as text. Printable Latin-1 bytes (<c>!</c>..<c>~</c>, <c>¡</c>..<c>¬</c>,
/// <c>®</c>..<c>ÿ</c>) stand for themselves; the other 68 bytes take U+0100.. in byte order (space is <c>Ġ</c>).
/// </summary>
internal static class ByteLevel
{
    private static readonly int[] ByteToCodepoint = BuildForward();
    private static readonly Dictionary<int, byte> CodepointToByte = BuildInverse();

    /// <summary>UTF-8 of each byte's code point, for encoding a word into vocabulary text.</summary>
    private static readonly byte[][] ByteToUtf8 = BuildUtf8();

    public static int CodepointOf(byte b) => ByteToCodepoint[b];

    public static bool TryGetByte(int codepoint, out byte b) => CodepointToByte.TryGetValue(codepoint, out b);

    /// <summary>Writes the vocabulary spelling of <paramref name="bytes"/>; <paramref name="dest"/> needs 2 bytes per input byte.</summary>
    public static int Encode(ReadOnlySpan<byte> bytes, Span<byte> dest)
    {
        int n = 0;
        foreach (byte b in bytes)
        {
            var u = ByteToUtf8[b];
            dest[n++] = u[0];
            if (u.Length == 2) dest[n++] = u[1];
        }
        return n;
    }

    /// <summary>
    /// The bytes a normal byte-level token stands for. A code point outside the alphabet is written out as
    /// <c>[UNK_BYTE_0x..</c> followed by the token text, as llama.cpp does, so such vocabularies decode identically.
    /// </summary>
    public static byte[] Decode(ReadOnlySpan<byte> text)
    {
        var result = new List<byte>(text.Length);
        int i = 0;
        while (i < text.Length)
        {
            int start = i;
            int cp = Utf8Lenient.Next(text, ref i);
            if (TryGetByte(cp, out byte b))
            {
                result.Add(b);
                continue;
            }
            result.AddRange("[UNK_BYTE_0x"u8);
            foreach (byte u in text[start..i]) result.AddRange(Encoding.ASCII.GetBytes(u.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
            result.AddRange(text);
            result.Add((byte)']');
        }
        return result.ToArray();
    }

    private static int[] BuildForward()
    {
        var map = new int[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = printable ? b : next++;
        }
        return map;
    }

    private static Dictionary<int, byte> BuildInverse()
    {
        var d = new Dictionary<int, byte>(256);
        for (int b = 0; b < 256; b++) d[ByteToCodepoint[b]] = (byte)b;
        return d;
    }

    private static byte[][] BuildUtf8()
    {
        var r = new byte[256][];
        for (int b = 0; b < 256; b++) r[b] = Encoding.UTF8.GetBytes(char.ConvertFromUtf32(ByteToCodepoint[b]));
        return r;
    }
}
