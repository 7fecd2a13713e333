using System.Buffers.Binary;
using Hearth.Gguf;

namespace Hearth.Tokenization;

/// <summary>
/// SentencePiece's unigram model as llama.cpp runs it for <c>tokenizer.ggml.model = t5</c> (T5, XLM-RoBERTa,
/// nomic-embed-text v2): the text is normalised by the file's precompiled character map (longest-prefix replacements
/// looked up in its XOR-compressed double array; user-defined tokens pass unchanged; invalid UTF-8 becomes U+FFFD), spaces
/// become '▁' (runs merged and one prepended per word when the vocabulary says so), then the most probable segmentation
/// under the piece scores is found by Viterbi over code points — user-defined pieces score 0, a code point no piece
/// covers is the unknown token at the lowest score minus 10, consecutive unknowns merge. With addSpecial: BOS if the
/// vocabulary adds it (by default not), EOS if it adds it (by default yes).
/// </summary>
internal sealed class UnigramTokenizer : VocabularyTokenizer
{
    private const double UnknownPenalty = 10.0;
    private static readonly byte[] EscapedSpace = "\u2581"u8.ToArray();
    private static readonly byte[] Replacement = [0xEF, 0xBF, 0xBD];

    private readonly uint[] _xcda = [];           // the charsmap's double array: BASE, LCHECK, LEAF bit-packed per node
    private readonly byte[] _replacements = [];   // NUL-terminated replacement strings the array's leaves point into
    private readonly byte[][] _userDefined;       // user-defined token texts, longest first
    private readonly bool[] _matchable;           // normal, user-defined or unused: pieces the segmentation may use
    private readonly double _unknownScore;
    private readonly bool _removeExtraWhitespaces;

    public UnigramTokenizer(Vocabulary vocab, byte[]? precompiledCharsmap, bool removeExtraWhitespaces) : base(vocab, "t5")
    {
        if (precompiledCharsmap is { Length: > 0 } map)
        {
            if (map.Length < 4) throw new ModelConfigurationException("tokenizer.ggml.precompiled_charsmap is too small for its header.", "tokenizer.ggml.precompiled_charsmap");
            uint blob = BinaryPrimitives.ReadUInt32LittleEndian(map);
            if (blob > map.Length - 4 || blob % 4 != 0)
                throw new ModelConfigurationException($"tokenizer.ggml.precompiled_charsmap says its double array has {blob} bytes; the map has {map.Length - 4} after the header.", "tokenizer.ggml.precompiled_charsmap");
            _xcda = new uint[blob / 4];
            for (int i = 0; i < _xcda.Length; i++) _xcda[i] = BinaryPrimitives.ReadUInt32LittleEndian(map.AsSpan(4 + 4 * i));
            _replacements = map.AsSpan(4 + (int)blob).ToArray();
        }
        _removeExtraWhitespaces = removeExtraWhitespaces;
        int n = vocab.Count;
        _matchable = new bool[n];
        var user = new List<byte[]>();
        float min = float.MaxValue;
        for (int id = 0; id < n; id++)
        {
            if (vocab.Has(TokenAttributes.Normal, id)) min = Math.Min(min, vocab.Scores[id]);
            _matchable[id] = vocab.Has(TokenAttributes.Normal | TokenAttributes.UserDefined | TokenAttributes.Unused, id);
            if (vocab.Has(TokenAttributes.UserDefined, id)) user.Add(vocab.Texts.Get(id).ToArray());
        }
        _userDefined = [.. user.OrderByDescending(u => u.Length)];
        _unknownScore = min - UnknownPenalty;
    }

    protected override bool AddsBos => Vocab.AddBos;

    protected override bool AddsEos => Vocab.AddEos;

    protected override void EncodeText(ReadOnlySpan<byte> text, bool afterSpecial, IntList output)
    {
        var normalized = Normalize(text);
        int len = normalized.Length;
        if (len == 0) return;
        int unk = Vocab.Ids.Unk >= 0 ? Vocab.Ids.Unk : throw new ModelConfigurationException(
            "The vocabulary has no unknown token (tokenizer.ggml.unknown_token_id), which the unigram model needs.", "tokenizer.ggml.unknown_token_id");
        // best[i]: the best segmentation of normalized[..i]: its last token, where that token starts, its score.
        var bestToken = new int[len + 1];
        var bestStart = new int[len + 1];
        var bestScore = new double[len + 1];
        Array.Fill(bestToken, unk);
        Array.Fill(bestScore, -double.MaxValue);
        bestScore[0] = 0;
        int maxLength = Vocab.Texts.MaxLength;
        for (int i = 0; i < len;)
        {
            int units = Math.Min(Utf8Length(normalized[i]), len - i);
            bool wholeCodePoint = false;
            double current = bestScore[i];
            for (int l = 1; l <= Math.Min(maxLength, len - i); l++)
            {
                int id = Vocab.Texts.Find(normalized.AsSpan(i, l));
                if (id < 0 || !_matchable[id]) continue;
                if (l == units) wholeCodePoint = true;
                double score = current + (Vocab.Has(TokenAttributes.UserDefined, id) ? 0.0 : Vocab.Scores[id]);
                if (score > bestScore[i + l]) (bestToken[i + l], bestStart[i + l], bestScore[i + l]) = (id, i, score);
            }
            if (!wholeCodePoint)
            {
                double score = current + _unknownScore;
                if (score > bestScore[i + units]) (bestToken[i + units], bestStart[i + units], bestScore[i + units]) = (unk, i, score);
            }
            i += units;
        }
        // Back from the end, merging runs of unknown tokens, then reversed.
        int first = output.Count;
        bool previousUnknown = false;
        for (int end = len; ;)
        {
            bool unknown = bestToken[end] == unk;
            if (!(previousUnknown && unknown)) output.Add(bestToken[end]);
            if (bestStart[end] == 0) break;
            previousUnknown = unknown;
            end = bestStart[end];
        }
        output.AsSpan()[first..].Reverse();
    }

    // The charsmap replacements with '▁' for spaces: a '▁' before each run of non-spaces when spaces are merged,
    // else one before the first and one per space.
    private byte[] Normalize(ReadOnlySpan<byte> input)
    {
        var result = new List<byte>(input.Length * 3 + 3);
        bool prepend = Vocab.AddSpacePrefix, merge = _removeExtraWhitespaces, prepended = false, inWord = false;
        for (int offset = 0; offset < input.Length;)
        {
            var (piece, consumed) = NormalizePrefix(input, offset);
            foreach (byte c in piece.Span)
            {
                if (c != (byte)' ')
                {
                    if (!inWord)
                    {
                        inWord = true;
                        if ((prepend && !prepended) || merge)
                        {
                            result.AddRange(EscapedSpace);
                            prepended = true;
                        }
                    }
                    result.Add(c);
                }
                else
                {
                    inWord = false;
                    if (!merge) result.AddRange(EscapedSpace);
                }
            }
            offset += consumed;
        }
        return [.. result];
    }

    private (ReadOnlyMemory<byte> Piece, int Consumed) NormalizePrefix(ReadOnlySpan<byte> input, int offset)
    {
        var rest = input[offset..];
        foreach (var u in _userDefined)
        {
            if (rest.StartsWith(u)) return (u, u.Length);
        }
        int longest = 0, replacement = 0;
        if (_xcda.Length > 0)
        {
            uint node = Base(0);
            for (int i = 0; i < rest.Length; i++)
            {
                byte c = rest[i];
                if (c == 0) break;
                node ^= c;
                if (LCheck(node) != c) break;
                bool leaf = Leaf(node);
                node ^= Base(node);
                if (leaf)
                {
                    longest = i + 1;
                    replacement = (int)Value(node);
                }
            }
        }
        if (longest > 0)
        {
            if (replacement >= _replacements.Length) throw new ModelConfigurationException("tokenizer.ggml.precompiled_charsmap points past its replacement strings.", "tokenizer.ggml.precompiled_charsmap");
            int end = Array.IndexOf(_replacements, (byte)0, replacement);
            if (end < 0) throw new ModelConfigurationException("tokenizer.ggml.precompiled_charsmap has an unterminated replacement string.", "tokenizer.ggml.precompiled_charsmap");
            return (_replacements.AsMemory(replacement, end - replacement), longest);
        }
        int n = ValidUtf8Length(rest);
        return n > 0 ? (rest[..n].ToArray(), n) : (Replacement, 1);
    }

    private uint Node(uint index) => index < (uint)_xcda.Length ? _xcda[index]
        : throw new ModelConfigurationException("tokenizer.ggml.precompiled_charsmap's double array points outside itself.", "tokenizer.ggml.precompiled_charsmap");

    private uint Base(uint index)
    {
        uint packed = Node(index);
        return (packed >> 10) << (int)((packed & (1u << 9)) >> 6);
    }

    private uint LCheck(uint index) => Node(index) & ((1u << 31) | 0xFF);

    private bool Leaf(uint index) => ((Node(index) >> 8) & 1) != 0;

    private uint Value(uint index) => Node(index) & ((1u << 31) - 1);

    // Bytes of the code point a lead byte starts, by its top four bits (a stray continuation byte counts as one).
    private static int Utf8Length(byte lead) => (lead >> 4) switch { 0xC or 0xD => 2, 0xE => 3, 0xF => 4, _ => 1 };

    // The length of the well-formed UTF-8 sequence at the start (lead byte and continuation bytes only), 0 if none.
    private static int ValidUtf8Length(ReadOnlySpan<byte> s)
    {
        byte c = s[0];
        int n = (c & 0x80) == 0 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (n == 0 || n > s.Length) return 0;
        for (int i = 1; i < n; i++)
        {
            if ((s[i] & 0xC0) != 0x80) return 0;
        }
        return n;
    }
}
