using System.Text;
using Hearth.Gguf;

namespace Hearth.Tokenization;

/// <summary>
/// The merge table of a byte-level BPE vocabulary: for a pair of adjacent token ids, its rank (lower merges first) and
/// the id of the merged token (-1 when the concatenation is not itself a token, which then never merges further).
/// </summary>
internal sealed class BpeMerges
{
    // Open addressing over (left << 32 | right) keys with a multiplicative hash: long.GetHashCode (left ^ right)
    // collides heavily on token-id pairs, which made Dictionary lookups the bottleneck (measured 4x slower).
    private readonly long[] _keys;
    private readonly long[] _values;
    private readonly int _shift;

    private BpeMerges(Dictionary<long, long> pairs)
    {
        Count = pairs.Count;
        int bits = 4;
        while ((1 << bits) < pairs.Count * 2) bits++;
        _shift = 64 - bits;
        _keys = new long[1 << bits];
        _values = new long[1 << bits];
        Array.Fill(_keys, -1L);
        int mask = (1 << bits) - 1;
        foreach (var (key, value) in pairs)
        {
            int slot = Slot(key);
            while (_keys[slot] != -1) slot = (slot + 1) & mask;
            _keys[slot] = key;
            _values[slot] = value;
        }
    }

    public int Count { get; }

    private int Slot(long key) => (int)((ulong)key * 0x9E3779B97F4A7C15UL >> _shift);

    public bool TryGet(int left, int right, out int rank, out int merged)
    {
        long key = ((long)left << 32) | (uint)right;
        int mask = _keys.Length - 1;
        for (int slot = Slot(key); ; slot = (slot + 1) & mask)
        {
            long k = _keys[slot];
            if (k == key)
            {
                long v = _values[slot];
                rank = (int)(v >> 32);
                merged = (int)v;
                return true;
            }
            if (k == -1) break;
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
                throw new ModelConfigurationException($"tokenizer.ggml.merges[{i}] ('{Encoding.UTF8.GetString(m)}') is not two tokens separated by a space.");
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
                throw new ModelConfigurationException(
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
