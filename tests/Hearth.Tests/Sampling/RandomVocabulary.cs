using System.Text;

namespace Hearth.Tests.Sampling;

/// <summary>
/// A random vocabulary of byte strings: every printable ASCII character alone (as byte-level BPE vocabularies
/// have every byte), random ASCII runs weighted towards JSON punctuation, multi-byte characters, and fragments that
/// end or start in the middle of a UTF-8 sequence. The last two ids are an end token and a control token (no bytes).
/// </summary>
internal static class RandomVocabulary
{
    private const string Ascii = "{}[]\":,  \n-0123456789.eEtrufalsn\\abcdxyzABC/_#";
    private static readonly string[] Wide = ["é", "ß", "日", "本", "語", "€", "🙂", "𝄞", "—"];

    public static (byte[][] Tokens, int Eos) Create(int count, int seed)
    {
        var rng = new Random(seed);
        var tokens = new List<byte[]>();
        var seen = new HashSet<string>();
        void Add(byte[] b)
        {
            if (seen.Add(Convert.ToHexString(b))) tokens.Add(b);
        }
        for (int c = 0x20; c < 0x7F; c++) Add([(byte)c]);
        for (int c = 0x80; c < 0x100; c++) Add([(byte)c]);
        Add("\n"u8.ToArray());
        while (tokens.Count < count - 2)
        {
            var sb = new List<byte>();
            int kind = rng.Next(10);
            int len = 1 + rng.Next(rng.Next(2) == 0 ? 3 : 8);
            for (int i = 0; i < len; i++)
            {
                if (kind < 7 || rng.Next(4) != 0) sb.Add((byte)(rng.Next(3) == 0 ? rng.Next(0x20, 0x7F) : Ascii[rng.Next(Ascii.Length)]));
                else sb.AddRange(Encoding.UTF8.GetBytes(Wide[rng.Next(Wide.Length)]));
            }
            if (kind >= 8)
            {
                // cut inside a multi-byte character at either end
                var w = Encoding.UTF8.GetBytes(Wide[rng.Next(Wide.Length)]);
                int cut = 1 + rng.Next(w.Length - 1);
                if (kind == 8) sb.AddRange(w.Take(cut));
                else sb.InsertRange(0, w.Skip(cut));
            }
            Add([.. sb]);
        }
        int eos = tokens.Count;
        tokens.Add([]);  // end of generation
        tokens.Add([]);  // a control token with no text
        return ([.. tokens], eos);
    }
}
