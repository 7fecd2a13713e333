using System.Buffers;

namespace Hearth.Tokenization;

/// <summary>
/// Byte-level BPE as llama.cpp runs it for <c>tokenizer.ggml.model = gpt2</c>: the pre-tokenizer cuts text into words;
/// each word starts as one symbol per byte (its byte-level token) and the adjacent pair with the lowest merge rank is
/// merged (leftmost on ties) until no pair has a merge. Symbols are token ids, so merging never builds strings.
/// Gemma 4's variant (<c>tokenizer.ggml.model = gemma4</c>, see <see cref="PreTokenizer.SpaceEscaped"/>) starts from
/// one symbol per UTF-8 character of the text with spaces written '▁' and falls back to <c>&lt;0xXX&gt;</c> tokens.
/// </summary>
internal sealed class BpeTokenizer : VocabularyTokenizer
{
    private readonly BpeMerges _merges;
    private readonly PreTokenizer _pre;
    private readonly int[] _byteTokens = new int[256];

    // Gemma 4: the <0xXX> token of each byte (-1 where the vocabulary has none).
    private readonly int[] _hexByteTokens = new int[256];

    public BpeTokenizer(Vocabulary vocab, BpeMerges merges, PreTokenizer pre, string model = "gpt2") : base(vocab, model)
    {
        _merges = merges;
        _pre = pre;
        PreTokenizer = pre.Name;
        Span<byte> utf8 = stackalloc byte[2];
        for (int b = 0; b < 256; b++)
        {
            int n = ByteLevel.Encode([(byte)b], utf8);
            _byteTokens[b] = vocab.Texts.Find(utf8[..n]);
            _hexByteTokens[b] = vocab.Texts.Find(System.Text.Encoding.ASCII.GetBytes($"<0x{b:X2}>"));
        }
    }

    internal int MergeCount => _merges.Count;

    protected override void EncodeText(ReadOnlySpan<byte> text, bool afterSpecial, IntList output)
    {
        if (!_pre.SpaceEscaped)
        {
            EncodeWords(text, output);
            return;
        }
        int spaces = text.Count((byte)' ');
        byte[] escaped = ArrayPool<byte>.Shared.Rent(text.Length + 2 * spaces);
        try
        {
            int k = 0;
            foreach (byte b in text)
            {
                if (b == (byte)' ') { escaped[k++] = 0xE2; escaped[k++] = 0x96; escaped[k++] = 0x81; }
                else escaped[k++] = b;
            }
            EncodeWords(escaped.AsSpan(0, k), output);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(escaped);
        }
    }

    private void EncodeWords(ReadOnlySpan<byte> text, IntList output)
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
            bool raw = owner._pre.SpaceEscaped;
            if (vocab.IgnoreMerges || (raw && !word.ContainsAnyExcept((byte)'\n')))
            {
                int whole = vocab.Texts.Find(raw ? word : Encoded(word));
                if (whole >= 0) { output.Add(whole); return; }
            }
            if (_token.Length < word.Length)
            {
                int size = Math.Max(word.Length, _token.Length * 2);
                _token = new int[size]; _length = new int[size]; _prev = new int[size]; _next = new int[size];
            }
            int n = 0;
            for (int at = 0; at < word.Length; n++)
            {
                // Byte-level: one symbol per byte. Raw: one per UTF-8 character (by its lead byte, cut at the end).
                int len = raw ? Math.Min(word.Length - at, Utf8Length(word[at])) : 1;
                _token[n] = raw ? vocab.Texts.Find(word.Slice(at, len)) : owner._byteTokens[word[at]];
                _length[n] = len;
                _prev[n] = n - 1;
                at += len;
                _next[n] = at < word.Length ? n + 1 : -1;
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
                    // each byte of its vocabulary spelling as a one-byte token (raw: its <0xXX> token) and drops those
                    // that are not.
                    if (raw)
                    {
                        foreach (byte b in word.Slice(start, _length[i]))
                            if (owner._hexByteTokens[b] >= 0) output.Add(owner._hexByteTokens[b]);
                    }
                    else
                    {
                        foreach (byte b in Encoded(word.Slice(start, _length[i])))
                        {
                            int id = vocab.Texts.Find([b]);
                            if (id >= 0) output.Add(id);
                        }
                    }
                }
                start += _length[i];
            }
        }

        // llama.cpp's unicode_len_utf8: the sequence length its lead byte announces (1 for a stray continuation byte).
        private static int Utf8Length(byte lead) => lead < 0x80 ? 1 : lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;

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
