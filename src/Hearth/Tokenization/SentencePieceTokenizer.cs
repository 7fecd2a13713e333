using System.Buffers;
using Hearth.Gguf;

namespace Hearth.Tokenization;

/// <summary>
/// SentencePiece BPE as llama.cpp runs it for <c>tokenizer.ggml.model = llama</c>: spaces become '▁' (and one is
/// prefixed to text that starts the input or follows a special token, when add_space_prefix is on), the text is split
/// into characters, and adjacent pairs whose concatenation is a token are merged highest score first (leftmost on
/// ties) until no pair is a token. Characters left that are not tokens fall back to their bytes' <c>&lt;0xXX&gt;</c> tokens.
/// </summary>
internal sealed class SentencePieceTokenizer : VocabularyTokenizer
{
    private static ReadOnlySpan<byte> Escaped => "\u2581"u8;

    private readonly int[] _byteTokens = new int[256];

    public SentencePieceTokenizer(Vocabulary vocab) : base(vocab, "llama")
    {
        Span<byte> hex = stackalloc byte[6];
        for (int b = 0; b < 256; b++)
        {
            // "<0xXX>" with upper-case hex; a vocabulary without byte tokens may spell the byte itself.
            "<0x"u8.CopyTo(hex);
            hex[3] = (byte)"0123456789ABCDEF"[b >> 4];
            hex[4] = (byte)"0123456789ABCDEF"[b & 15];
            hex[5] = (byte)'>';
            int id = vocab.Texts.Find(hex);
            if (id < 0) id = vocab.Texts.Find([(byte)b]);
            _byteTokens[b] = id;
        }
    }

    protected override void EncodeText(ReadOnlySpan<byte> text, bool afterSpecial, IntList output)
    {
        bool prefix = Vocab.AddSpacePrefix && afterSpecial;
        int max = text.Length * 3 + 3;
        byte[] rented = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            var buffer = rented.AsSpan();
            int n = 0;
            if (prefix) { Escaped.CopyTo(buffer); n = 3; }
            foreach (byte b in text)
            {
                if (b == (byte)' ') { Escaped.CopyTo(buffer[n..]); n += 3; }
                else buffer[n++] = b;
            }
            new Session(this).Tokenize(buffer[..n], output);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void EmitBytes(ReadOnlySpan<byte> bytes, IntList output)
    {
        foreach (byte b in bytes)
        {
            int id = _byteTokens[b];
            if (id < 0)
            {
                // llama.cpp cannot tokenize this either (it throws); SentencePiece itself would emit <unk>.
                if (Vocab.Ids.Unk < 0)
                    throw new ModelConfigurationException($"The vocabulary has no byte token for 0x{b:X2} and no unknown token to stand in for it.");
                id = Vocab.Ids.Unk;
            }
            output.Add(id);
        }
    }

    private readonly struct Bigram(float score, int left, int right, int size, int token) : IComparable<Bigram>
    {
        public readonly float Score = score;
        public readonly int Left = left;
        public readonly int Right = right;
        public readonly int Size = size;
        public readonly int Token = token;

        // Highest score first, then the leftmost pair.
        public int CompareTo(Bigram other)
        {
            if (Score != other.Score) return Score > other.Score ? -1 : 1;
            return Left.CompareTo(other.Left);
        }
    }

    /// <summary>Per-call state: the symbol chain over the escaped text and the merge queue.</summary>
    private sealed class Session(SentencePieceTokenizer owner)
    {
        private readonly MinHeap<Bigram> _queue = new();
        private int[] _start = [], _length = [], _prev = [], _next = [], _token = [];

        public void Tokenize(ReadOnlySpan<byte> text, IntList output)
        {
            if (text.IsEmpty) return;
            int count = 0;
            Ensure(text.Length);
            for (int offset = 0; offset < text.Length;)
            {
                int len = Math.Min(Utf8Lenient.SequenceLength(text[offset]), text.Length - offset);
                _start[count] = offset;
                _length[count] = len;
                _prev[count] = count - 1;
                offset += len;
                _next[count] = offset == text.Length ? -1 : count + 1;
                _token[count] = -2; // not looked up yet
                count++;
            }

            for (int i = 1; i < count; i++) TryAddBigram(text, i - 1, i);

            while (_queue.Count > 0)
            {
                var b = _queue.Pop();
                int l = b.Left, r = b.Right;
                // Skip pairs that changed since they were queued.
                if (_length[l] == 0 || _length[r] == 0 || _length[l] + _length[r] != b.Size) continue;
                _length[l] += _length[r];
                _length[r] = 0;
                _token[l] = b.Token;
                _next[l] = _next[r];
                if (_next[r] >= 0) _prev[_next[r]] = l;
                TryAddBigram(text, _prev[l], l);
                TryAddBigram(text, l, _next[l]);
            }

            for (int i = 0; i != -1; i = _next[i])
            {
                var piece = text.Slice(_start[i], _length[i]);
                int id = _token[i] >= 0 ? _token[i] : owner.Vocab.Texts.Find(piece);
                if (id >= 0) output.Add(id);
                else owner.EmitBytes(piece, output);
            }
        }

        private void TryAddBigram(ReadOnlySpan<byte> text, int left, int right)
        {
            if (left < 0 || right < 0) return;
            int size = _length[left] + _length[right];
            int id = owner.Vocab.Texts.Find(text.Slice(_start[left], size));
            if (id < 0) return;
            _queue.Push(new Bigram(owner.Vocab.Scores[id], left, right, size, id));
        }

        private void Ensure(int n)
        {
            if (_start.Length >= n) return;
            _start = new int[n];
            _length = new int[n];
            _prev = new int[n];
            _next = new int[n];
            _token = new int[n];
        }
    }
}
