using System.Buffers;

namespace Hearth.Tokenization;

/// <summary>
/// Byte-level BPE as llama.cpp runs it for <c>tokenizer.ggml.model = gpt2</c>: the pre-tokenizer cuts text into words;
/// each word starts as one symbol per byte (its byte-level token) and the adjacent pair with the lowest merge rank is
/// merged (leftmost on ties) until no pair has a merge. Symbols are token ids, so merging never builds strings.
/// </summary>
internal sealed class BpeTokenizer : VocabularyTokenizer
{
    private readonly BpeMerges _merges;
    private readonly PreTokenizer _pre;
    private readonly int[] _byteTokens = new int[256];

    public BpeTokenizer(Vocabulary vocab, BpeMerges merges, PreTokenizer pre) : base(vocab, "gpt2")
    {
        _merges = merges;
        _pre = pre;
        PreTokenizer = pre.Name;
        Span<byte> utf8 = stackalloc byte[2];
        for (int b = 0; b < 256; b++)
        {
            int n = ByteLevel.Encode([(byte)b], utf8);
            _byteTokens[b] = vocab.Texts.Find(utf8[..n]);
        }
    }

    internal int MergeCount => _merges.Count;

    protected override void EncodeText(ReadOnlySpan<byte> text, bool afterSpecial, IntList output)
    {
        int n = text.Length;
        int[] cps = ArrayPool<int>.Shared.Rent(n + 1);
        int[] offsets = ArrayPool<int>.Shared.Rent(n + 1);
        CharFlags[] flags = ArrayPool<CharFlags>.Shared.Rent(n + 1);
        try
        {
            int count = 0;
            for (int i = 0; i < n;)
            {
                offsets[count] = i;
                int cp = Utf8Lenient.Next(text, ref i);
                cps[count] = cp;
                flags[count] = CharClass.Of(cp);
                count++;
            }
            offsets[count] = n;
            var session = new Session(this);
            var words = _pre.Split(cps.AsSpan(0, count), flags.AsSpan(0, count), new IntList(), new IntList());
            for (int k = 0; k < words.Count; k += 2)
                session.EncodeWord(text[offsets[words[k]]..offsets[words[k + 1]]], output);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(cps);
            ArrayPool<int>.Shared.Return(offsets);
            ArrayPool<CharFlags>.Shared.Return(flags);
        }
    }

    private readonly struct Pair(int rank, int left, int right, int leftToken, int rightToken, int merged) : IComparable<Pair>
    {
        public readonly int Rank = rank;
        public readonly int Left = left;
        public readonly int Right = right;
        public readonly int LeftToken = leftToken;
        public readonly int RightToken = rightToken;
        public readonly int Merged = merged;

        // Lowest rank first, then the leftmost pair.
        public int CompareTo(Pair other) => Rank != other.Rank ? Rank.CompareTo(other.Rank) : Left.CompareTo(other.Left);
    }

    private sealed class Session(BpeTokenizer owner)
    {
        private readonly MinHeap<Pair> _queue = new();
        private int[] _token = new int[64], _length = new int[64], _prev = new int[64], _next = new int[64];
        private byte[] _encoded = new byte[128];

        public void EncodeWord(ReadOnlySpan<byte> word, IntList output)
        {
            var vocab = owner.Vocab;
            if (vocab.IgnoreMerges)
            {
                int whole = vocab.Texts.Find(Encoded(word));
                if (whole >= 0) { output.Add(whole); return; }
            }
            int n = word.Length;
            if (_token.Length < n)
            {
                int size = Math.Max(n, _token.Length * 2);
                _token = new int[size]; _length = new int[size]; _prev = new int[size]; _next = new int[size];
            }
            for (int i = 0; i < n; i++)
            {
                _token[i] = owner._byteTokens[word[i]];
                _length[i] = 1;
                _prev[i] = i - 1;
                _next[i] = i + 1 < n ? i + 1 : -1;
            }
            _queue.Clear();
            for (int i = 1; i < n; i++) TryAdd(i - 1, i);
            while (_queue.Count > 0)
            {
                var p = _queue.Pop();
                int l = p.Left, r = p.Right;
                // Skip pairs that changed since they were queued.
                if (_length[l] == 0 || _length[r] == 0 || _token[l] != p.LeftToken || _token[r] != p.RightToken) continue;
                _token[l] = p.Merged;
                _length[l] += _length[r];
                _length[r] = 0;
                _next[l] = _next[r];
                if (_next[r] >= 0) _prev[_next[r]] = l;
                TryAdd(_prev[l], l);
                TryAdd(l, _next[l]);
            }
            int start = 0;
            for (int i = 0; i != -1 && n > 0; i = _next[i])
            {
                if (_token[i] >= 0) output.Add(_token[i]);
                else
                {
                    // Not a token (a byte outside the vocabulary, or a merge whose result is missing): llama.cpp looks up
                    // each byte of its vocabulary spelling as a one-byte token and drops those that are not.
                    foreach (byte b in Encoded(word.Slice(start, _length[i])))
                    {
                        int id = vocab.Texts.Find([b]);
                        if (id >= 0) output.Add(id);
                    }
                }
                start += _length[i];
            }
        }

        private void TryAdd(int left, int right)
        {
            if (left < 0 || right < 0) return;
            int a = _token[left], b = _token[right];
            if (a < 0 || b < 0) return;
            if (owner._merges.TryGet(a, b, out int rank, out int merged))
                _queue.Push(new Pair(rank, left, right, a, b, merged));
        }

        private ReadOnlySpan<byte> Encoded(ReadOnlySpan<byte> bytes)
        {
            if (_encoded.Length < bytes.Length * 2) _encoded = new byte[bytes.Length * 2];
            int n = ByteLevel.Encode(bytes, _encoded);
            return _encoded.AsSpan(0, n);
        }
    }
}
