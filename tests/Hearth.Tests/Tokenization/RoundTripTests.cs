using System.Text;
using Hearth.Tokenization;

namespace Hearth.Tests.Tokenization;

/// <summary>
/// Property tests with fixed seeds: for vocabularies that can spell any text (byte fallback or byte-level BPE),
/// decoding the tokens of a text gives the text back, whole and streamed token by token.
/// </summary>
public class RoundTripTests
{
    /// <summary>WordPiece lower-cases and drops accents, so it is not here.</summary>
    public static TheoryData<string> Lossless() =>
        new(Vocabs.All.Select(v => v.Name).Where(n => n != "bert-bge"));

    [Theory]
    [MemberData(nameof(Lossless))]
    public void Decode_of_encode_is_the_text(string vocab)
    {
        var tok = Vocabs.Get(vocab);
        var rng = new Random(1234);
        for (int i = 0; i < 150; i++)
        {
            string text = RandomText(rng, rng.Next(0, 40));
            int[] plain = tok.Encode(text, addSpecial: false);
            Assert.True(tok.Decode(plain) == text, $"{vocab}: {TokenizerVectors.Show(text)} -> [{string.Join(' ', plain)}] -> {TokenizerVectors.Show(tok.Decode(plain))}");
            int[] withSpecial = tok.Encode(text, addSpecial: true);
            Assert.Equal(text, tok.Decode(withSpecial));
        }
    }

    [Theory]
    [MemberData(nameof(Lossless))]
    public void Streaming_decode_never_splits_a_character_and_adds_up_to_the_text(string vocab)
    {
        var tok = Vocabs.Get(vocab);
        var rng = new Random(99);
        for (int i = 0; i < 100; i++)
        {
            string text = RandomText(rng, rng.Next(1, 40));
            var stream = tok.CreateStreamingDecoder();
            var sb = new StringBuilder();
            foreach (int id in tok.Encode(text, addSpecial: true))
            {
                string chunk = stream.Add(id);
                Assert.DoesNotContain('\uFFFD', chunk);
                if (chunk.Length > 0) Assert.False(char.IsHighSurrogate(chunk[^1]), "a chunk ends inside a surrogate pair");
                sb.Append(chunk);
            }
            sb.Append(stream.Flush());
            Assert.False(stream.HasPending);
            // SentencePiece vocabularies prefix a space when encoding; streamed pieces keep it.
            string expected = tok.Model == "llama" ? " " + text : text;
            Assert.Equal(expected, sb.ToString());
        }
    }

    [Fact]
    public void Long_whitespace_runs_digits_and_emoji_round_trip()
    {
        string[] texts =
        [
            new string(' ', 300) + "x" + new string('\t', 50) + "\n\n\n" + new string(' ', 7),
            "1234567890123456789 0.5 -42 ٣٤٥ 一二三",
            "👩‍👩‍👧‍👦 🏳️‍🌈 🇫🇷 e\u0301\u0302\u0303 \u200B\u200D \u0000\u0001\u001F\u007F",
            "\r\n\r\n \u00A0\u2003\u3000 end",
        ];
        foreach (var (name, _, _) in Vocabs.All)
        {
            if (name == "bert-bge") continue;
            var tok = Vocabs.Get(name);
            foreach (string t in texts) Assert.True(tok.Decode(tok.Encode(t, addSpecial: false)) == t, $"{name}: {TokenizerVectors.Show(t)}");
        }
    }

    /// <summary>Words, whitespace runs, digits, CJK, emoji, combining marks, control characters and other scripts.</summary>
    internal static string RandomText(Random rng, int parts)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < parts; i++)
        {
            switch (rng.Next(12))
            {
                case 0: sb.Append(' ', rng.Next(1, 6)); break;
                case 1: sb.Append(" \t\n\r\u00A0\u3000"[rng.Next(6)]); break;
                case 2: for (int k = rng.Next(1, 8); k > 0; k--) sb.Append((char)('0' + rng.Next(10))); break;
                case 3: for (int k = rng.Next(1, 5); k > 0; k--) sb.Append((char)rng.Next(0x4E00, 0x9FFF)); break;
                case 4: sb.Append(char.ConvertFromUtf32(rng.Next(0x1F300, 0x1FAFF))); break;
                case 5: sb.Append((char)rng.Next('a', 'z' + 1)).Append((char)rng.Next(0x300, 0x370)); break;
                case 6: sb.Append((char)rng.Next(1, 0x20)); break;
                case 7: sb.Append(" the quick brown fox jumps over the lazy dog ".AsSpan(rng.Next(0, 20), rng.Next(1, 20))); break;
                case 8: sb.Append("'s 're 'll 'D !?.,;:()[]{}<>/\\|~`@#$%^&*-_=+\"".AsSpan(rng.Next(0, 30), rng.Next(1, 10))); break;
                case 9: for (int k = rng.Next(1, 6); k > 0; k--) sb.Append((char)rng.Next(0x400, 0x4FF)); break;
                case 10: for (int k = rng.Next(1, 4); k > 0; k--) sb.Append((char)rng.Next(0xAC00, 0xD7A3)); break;
                default: for (int k = rng.Next(1, 6); k > 0; k--) sb.Append((char)rng.Next(0xA1, 0x250)); break;
            }
        }
        return sb.ToString();
    }
}
