using System.Text;

namespace Hearth.Tokenization;

/// <summary>
/// The merge table of a byte-level BPE vocabulary: for a pair of adjacent token ids, its rank (lower merges first) and
/// the id of the merged token (-1 when the concatenation is not itself a token, which then never merges further).
/// </summary>
internal sealed class BpeMerges
{
    private readonly Dictionary<long, long> _pairs;

    private BpeMerges(Dictionary<long, long> pairs) => _pairs = pairs;

    public int Count => _pairs.Count;

    public bool TryGet(int left, int right, out int rank, out int merged)
    {
        if (_pairs.TryGetValue(((long)left << 32) | (uint)right, out long v))
        {
            rank = (int)(v >> 32);
            merged = (int)v;
            return true;
        }
        rank = merged = 0;
        return false;
    }

    /// <summary>GGUF merges: "left right" strings (split at the first space after the first byte), rank = index.</summary>
    public static BpeMerges FromGguf(Vocabulary vocab, IReadOnlyList<byte[]> merges)
    {
        var pairs = new List<(byte[] Left, byte[] Right)>(merges.Count);
        for (int i = 0; i < merges.Count; i++)
        {
            var m = merges[i];
            int space = m.Length > 1 ? m.AsSpan(1).IndexOf((byte)' ') : -1;
            if (space < 0)
                throw new InvalidDataException($"tokenizer.ggml.merges[{i}] ('{Encoding.UTF8.GetString(m)}') is not two tokens separated by a space.");
            pairs.Add((m[..(space + 1)], m[(space + 2)..]));
        }
        return FromPairs(vocab, pairs, "tokenizer.ggml.merges");
    }

    public static BpeMerges FromPairs(Vocabulary vocab, IReadOnlyList<(byte[] Left, byte[] Right)> pairs, string source)
    {
        var table = new Dictionary<long, long>(pairs.Count);
        var joined = new List<byte>();
        for (int rank = 0; rank < pairs.Count; rank++)
        {
            var (l, r) = pairs[rank];
            int left = vocab.Texts.Find(l), right = vocab.Texts.Find(r);
            if (left < 0 || right < 0)
                throw new InvalidDataException(
                    $"{source}[{rank}] ('{Encoding.UTF8.GetString(l)} {Encoding.UTF8.GetString(r)}') names '{Encoding.UTF8.GetString(left < 0 ? l : r)}', which is not a token of the vocabulary.");
            joined.Clear();
            joined.AddRange(l);
            joined.AddRange(r);
            int merged = vocab.Texts.Find(joined.ToArray());
            // A pair listed twice keeps its first (lowest) rank.
            table.TryAdd(((long)left << 32) | (uint)right, ((long)rank << 32) | (uint)merged);
        }
        return new BpeMerges(table);
    }
}
