namespace Hearth.Tokenization;

/// <summary>One piece of input after special tokens are cut out: either a special token or a run of plain text.</summary>
internal readonly record struct Fragment(int Token, int Start, int Length)
{
    public bool IsText => Token < 0;
}

/// <summary>
/// Cuts special tokens out of the input before the model's own tokenization, as llama.cpp does: tokens are taken
/// longest first, and each one splits every remaining text fragment at its occurrences, left to right. User-defined
/// tokens are always recognised; control and unknown tokens only when parsing special tokens.
/// </summary>
/// <remarks>
/// A byte trie over all candidate texts first finds which special tokens occur in the input at all, so inputs that
/// contain none (the usual case) cost one pass however many special tokens the vocabulary has.
/// </remarks>
internal sealed class SpecialTokenSplitter
{
    private readonly Vocabulary _vocab;
    private readonly Lazy<Trie> _all;
    private readonly Lazy<Trie> _userDefinedOnly;

    public SpecialTokenSplitter(Vocabulary vocab)
    {
        _vocab = vocab;
        _all = new(() => new Trie(vocab, vocab.SpecialTokens));
        _userDefinedOnly = new(() => new Trie(vocab, vocab.SpecialTokens
            .Where(id => !vocab.Has(TokenAttributes.Control | TokenAttributes.Unknown, id)).ToArray()));
    }

    public List<Fragment> Split(ReadOnlySpan<byte> text, bool parseSpecial)
    {
        var fragments = new List<Fragment>();
        if (text.IsEmpty) return fragments;
        fragments.Add(new Fragment(-1, 0, text.Length));
        var trie = parseSpecial ? _all.Value : _userDefinedOnly.Value;
        if (trie.IsEmpty) return fragments;
        bool[]? present = trie.FindPresent(text);
        if (present == null) return fragments;

        foreach (int id in _vocab.SpecialTokens)
        {
            if (!present[id]) continue;
            var token = _vocab.Texts.Get(id);
            var attr = _vocab.Attributes[id];
            var next = new List<Fragment>(fragments.Count + 2);
            foreach (var f in fragments)
            {
                if (!f.IsText) { next.Add(f); continue; }
                int offset = f.Start, length = f.Length;
                while (true)
                {
                    int rel = text.Slice(offset, length).IndexOf(token);
                    if (rel < 0)
                    {
                        if (length > 0) next.Add(new Fragment(-1, offset, length));
                        break;
                    }
                    int match = offset + rel;
                    int leftLength = match - offset;
                    if ((attr & TokenAttributes.LStrip) != 0)
                        while (leftLength > 0 && IsCSpace(text[offset + leftLength - 1])) leftLength--;
                    if (leftLength > 0) next.Add(new Fragment(-1, offset, leftLength));
                    next.Add(new Fragment(id, match, token.Length));
                    int rightOffset = match + token.Length;
                    int rightLength = offset + length - rightOffset;
                    if ((attr & TokenAttributes.RStrip) != 0)
                        while (rightLength > 0 && IsCSpace(text[rightOffset])) { rightOffset++; rightLength--; }
                    offset = rightOffset;
                    length = rightLength;
                    if (length == 0) break;
                }
            }
            fragments = next;
        }
        return fragments;
    }

    /// <summary>C's isspace in the "C" locale.</summary>
    private static bool IsCSpace(byte b) => b == ' ' || (b >= 0x09 && b <= 0x0D);

    private sealed class Trie
    {
        private readonly Dictionary<int, int> _children = [];  // (node << 8 | byte) -> child node
        private readonly List<int> _terminal = [-1];           // node -> token id or -1
        private readonly bool[] _firstByte = new bool[256];
        private readonly int _vocabSize;

        public Trie(Vocabulary vocab, int[] ids)
        {
            _vocabSize = vocab.Count;
            foreach (int id in ids)
            {
                var t = vocab.Texts.Get(id);
                if (t.IsEmpty) continue;
                _firstByte[t[0]] = true;
                int node = 0;
                foreach (byte b in t)
                {
                    int key = (node << 8) | b;
                    if (!_children.TryGetValue(key, out int child))
                    {
                        child = _terminal.Count;
                        _terminal.Add(-1);
                        _children[key] = child;
                    }
                    node = child;
                }
                _terminal[node] = id;
            }
            IsEmpty = _terminal.Count == 1;
        }

        public bool IsEmpty { get; }

        /// <summary>Marks every candidate that occurs somewhere in <paramref name="text"/>; null when none does.</summary>
        public bool[]? FindPresent(ReadOnlySpan<byte> text)
        {
            bool[]? present = null;
            for (int i = 0; i < text.Length; i++)
            {
                if (!_firstByte[text[i]]) continue;
                int node = 0;
                for (int j = i; j < text.Length; j++)
                {
                    if (!_children.TryGetValue((node << 8) | text[j], out node)) break;
                    int id = _terminal[node];
                    if (id >= 0) (present ??= new bool[_vocabSize])[id] = true;
                }
            }
            return present;
        }
    }
}
