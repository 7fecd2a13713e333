using System.Globalization;
using System.Text;
using Hearth.Gguf;

namespace Hearth.Tokenization;

/// <summary>
/// Everything a tokenizer knows about its tokens: texts, scores, attributes, special ids, flags, and each token's
/// decoded bytes. Built the way llama.cpp's vocabulary loader builds it, step for step, so that special-token
/// detection, end-of-generation tokens and rendering agree with it.
/// </summary>
internal sealed class Vocabulary
{
    private readonly byte[][] _pieces;
    private readonly string[] _texts;

    public Vocabulary(VocabularyKind kind, IReadOnlyList<byte[]> texts, string[]? textStrings, float[]? scores, int[]? types,
        ITokenizerMetadata meta, VocabularyFlags flags)
    {
        Kind = kind;
        int n = texts.Count;
        if (n == 0) throw new ModelConfigurationException("The vocabulary is empty (tokenizer.ggml.tokens has no entries).");
        if (scores != null && scores.Length != n)
            throw new ModelConfigurationException($"tokenizer.ggml.scores has {scores.Length} entries but tokenizer.ggml.tokens has {n}; they must be the same length.");
        if (types != null && types.Length != n)
            throw new ModelConfigurationException($"tokenizer.ggml.token_type has {types.Length} entries but tokenizer.ggml.tokens has {n}; they must be the same length.");

        var bytes = new byte[n][];
        _texts = new string[n];
        for (int i = 0; i < n; i++)
        {
            var t = texts[i];
            if (t.Length == 0) t = Encoding.UTF8.GetBytes($"[EMPTY_{i}]"); // llama.cpp's placeholder for empty tokens
            bytes[i] = t;
            _texts[i] = textStrings != null && texts[i].Length != 0 ? textStrings[i] : Encoding.UTF8.GetString(t);
        }
        Texts = new ByteStringTable(bytes);
        for (int i = 0; i < n; i++)
        {
            int found = Texts.Find(bytes[i]);
            if (found != i)
                throw new ModelConfigurationException(
                    $"Token text '{_texts[i]}' appears more than once in the vocabulary (ids {i} and {found}); every token text must be unique.");
        }

        Scores = scores ?? new float[n];
        Attributes = new TokenAttributes[n];
        for (int i = 0; i < n; i++)
        {
            Attributes[i] = types == null ? TokenAttributes.Normal : types[i] switch
            {
                1 => TokenAttributes.Normal,
                2 => TokenAttributes.Unknown,
                3 => TokenAttributes.Control,
                4 => TokenAttributes.UserDefined,
                5 => TokenAttributes.Unused,
                6 => TokenAttributes.Byte,
                _ => TokenAttributes.Undefined,
            };
        }

        AddSpacePrefix = flags.AddSpacePrefix;
        AddBos = flags.AddBos;
        AddEos = flags.AddEos;
        IgnoreMerges = flags.IgnoreMerges;
        AddSpacePrefix = meta.GetBool("tokenizer.ggml.add_space_prefix") ?? AddSpacePrefix;

        Ids = flags.Defaults;
        ReadId(meta, "tokenizer.ggml.bos_token_id", ref Ids.Bos);
        ReadId(meta, "tokenizer.ggml.eos_token_id", ref Ids.Eos);
        ReadId(meta, "tokenizer.ggml.eot_token_id", ref Ids.Eot);
        ReadId(meta, "tokenizer.ggml.eom_token_id", ref Ids.Eom);
        ReadId(meta, "tokenizer.ggml.unknown_token_id", ref Ids.Unk);
        ReadId(meta, "tokenizer.ggml.seperator_token_id", ref Ids.Sep); // sic: the GGUF key is spelled this way
        ReadId(meta, "tokenizer.ggml.padding_token_id", ref Ids.Pad);
        ReadId(meta, "tokenizer.ggml.mask_token_id", ref Ids.Mask);
        ReadId(meta, "tokenizer.ggml.fim_pre_token_id", ref Ids.FimPre);
        ReadId(meta, "tokenizer.ggml.fim_suf_token_id", ref Ids.FimSuf);
        ReadId(meta, "tokenizer.ggml.fim_mid_token_id", ref Ids.FimMid);
        ReadId(meta, "tokenizer.ggml.fim_pad_token_id", ref Ids.FimPad);
        ReadId(meta, "tokenizer.ggml.fim_rep_token_id", ref Ids.FimRep);
        ReadId(meta, "tokenizer.ggml.fim_sep_token_id", ref Ids.FimSep);
        ReadId(meta, "tokenizer.ggml.prefix_token_id", ref Ids.FimPre);
        ReadId(meta, "tokenizer.ggml.suffix_token_id", ref Ids.FimSuf);
        ReadId(meta, "tokenizer.ggml.middle_token_id", ref Ids.FimMid);
        AddBos = meta.GetBool("tokenizer.ggml.add_bos_token") ?? AddBos;
        AddBos |= flags.AlwaysAddBos; // Gemma 4: llama.cpp overrides a false add_bos_token
        AddEos = meta.GetBool("tokenizer.ggml.add_eos_token") ?? AddEos;
        AddSep = meta.GetBool("tokenizer.ggml.add_sep_token") ?? false;
        DropDefaultsOutsideVocabulary();

        DetectSpecialsByText();
        IsEog = BuildEndOfGeneration();
        SpecialTokens = BuildSpecialCache();
        _pieces = new byte[n][];
        for (int i = 0; i < n; i++) _pieces[i] = RenderPiece(i);
        ApplyStripRules(meta.GetString("general.name"), meta.GetString("tokenizer.ggml.pre"));
    }

    public VocabularyKind Kind { get; }

    public int Count => Texts.Count;

    /// <summary>Token texts exactly as stored (byte-level spelling for BPE, '▁' for spaces in SentencePiece).</summary>
    public ByteStringTable Texts { get; }

    public float[] Scores { get; }

    public TokenAttributes[] Attributes { get; }

    public SpecialTokenIds Ids { get; }

    /// <summary>Per id: generation stops here.</summary>
    public bool[] IsEog { get; }

    /// <summary>Control, user-defined and unknown tokens, longest text first: the order text is searched for them.</summary>
    public int[] SpecialTokens { get; }

    public bool AddSpacePrefix { get; }

    public bool AddBos { get; }

    public bool AddEos { get; }

    /// <summary>tokenizer.ggml.add_sep_token: a SEP joins the two texts of a pair (rerankers).</summary>
    public bool AddSep { get; }

    /// <summary>A pre-tokenized word that is itself a token is emitted whole, without merging (Llama 3).</summary>
    public bool IgnoreMerges { get; }

    public string TextOf(int id) => _texts[id];

    /// <summary>The bytes the token stands for (llama.cpp's token_to_piece with special tokens rendered).</summary>
    public ReadOnlySpan<byte> Piece(int id) => _pieces[id];

    public bool Has(TokenAttributes attribute, int id) => (Attributes[id] & attribute) != 0;

    /// <summary>
    /// A default id the vocabulary is too small for (SentencePiece's BOS 1 in a one-token vocabulary) means there is no
    /// such token; ids read from the file already are in range. Checked here, at load, so no out-of-range id reaches
    /// encoding, rendering or the end-of-generation table.
    /// </summary>
    private void DropDefaultsOutsideVocabulary()
    {
        int n = Count;
        static void Drop(ref int id, int n)
        {
            if (id >= n) id = -1;
        }
        Drop(ref Ids.Bos, n);
        Drop(ref Ids.Eos, n);
        Drop(ref Ids.Eot, n);
        Drop(ref Ids.Eom, n);
        Drop(ref Ids.Unk, n);
        Drop(ref Ids.Sep, n);
        Drop(ref Ids.Pad, n);
        Drop(ref Ids.Mask, n);
        Drop(ref Ids.FimPre, n);
        Drop(ref Ids.FimSuf, n);
        Drop(ref Ids.FimMid, n);
        Drop(ref Ids.FimPad, n);
        Drop(ref Ids.FimRep, n);
        Drop(ref Ids.FimSep, n);
    }

    private void ReadId(ITokenizerMetadata meta, string key, ref int id)
    {
        long? v = meta.GetInteger(key);
        // An id outside the vocabulary (often 0xFFFFFFFF for "none") keeps the default, as llama.cpp does.
        if (v is long value && value >= 0 && value < Count) id = (int)value;
    }

    // Files converted without explicit EOT/EOM/FIM ids still mark them by text; llama.cpp then also makes such tokens
    // control tokens. The lists are current llama.cpp's (the reference the live tests run), which has grown since the
    // c392e50 test vectors; when several candidates exist they are taken in the listed order (llama.cpp's hash-map
    // order is unspecified).
    private void DetectSpecialsByText()
    {
        if (Ids.Eot < 0) Ids.Eot = FindControl("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<end_of_utterance>");
        if (Ids.Eom < 0) Ids.Eom = FindControl("<|eom_id|>");
        if (Ids.FimPre < 0) Ids.FimPre = FindControl("<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<PRE>", "<|code_prefix|>", "<|prefix|>");
        if (Ids.FimSuf < 0) Ids.FimSuf = FindControl("<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<SUF>", "<|code_suffix|>", "<|suffix|>");
        if (Ids.FimMid < 0) Ids.FimMid = FindControl("<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<MID>", "<|code_middle|>", "<|middle|>");
        if (Ids.FimPad < 0) Ids.FimPad = FindControl("<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]");
        if (Ids.FimRep < 0) Ids.FimRep = FindControl("<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>");
        if (Ids.FimSep < 0) Ids.FimSep = FindControl("<|file_sep|>");
    }

    private int FindControl(params string[] candidates)
    {
        foreach (string c in candidates)
        {
            int id = Texts.Find(Encoding.UTF8.GetBytes(c));
            if (id >= 0)
            {
                Attributes[id] |= TokenAttributes.Control;
                return id;
            }
        }
        return -1;
    }

    private static readonly string[] EndOfGenerationTexts =
    [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>",
        "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>", "<end_of_utterance>",
        "<eos>", "<turn|>", "<|tool_response>",
    ];

    private bool[] BuildEndOfGeneration()
    {
        var eog = new bool[Count];
        foreach (int id in new[] { Ids.FimPad, Ids.FimRep, Ids.FimSep })
            if (id >= 0) eog[id] = true;
        foreach (string text in EndOfGenerationTexts)
        {
            int id = Texts.Find(Encoding.UTF8.GetBytes(text));
            if (id < 0) continue;
            eog[id] = true;
            Attributes[id] |= TokenAttributes.Control;
        }
        // gpt-oss: these markers are always rendered and matched, even without special-token parsing.
        foreach (string text in new[] { "<|channel|>", "<|message|>", "<|start|>", "<|constrain|>" })
        {
            int id = Texts.Find(Encoding.UTF8.GetBytes(text));
            if (id >= 0) Attributes[id] = TokenAttributes.UserDefined;
        }
        foreach (int id in new[] { Ids.Eos, Ids.Eot, Ids.Eom })
            if (id >= 0 && id < Count) eog[id] = true;
        // gpt-oss / solar-open end a message with <|end|> but a turn with <|return|> or <|call|>: <|end|> does not stop.
        int end = FindEog(eog, "<|end|>");
        if (end >= 0 && ((FindEog(eog, "<|return|>") >= 0 && FindEog(eog, "<|call|>", "<|calls|>") >= 0)
                         || (FindEog(eog, "<|calls|>", "<|call|>") >= 0 && FindEog(eog, "<|flush|>") >= 0)))
        {
            eog[end] = false;
            Attributes[end] = TokenAttributes.UserDefined;
        }
        // Gemma 4 uses </s> as text.
        int s = FindEog(eog, "</s>");
        if (s >= 0 && FindEog(eog, "<|tool_response>") >= 0)
        {
            eog[s] = false;
            Attributes[s] = TokenAttributes.Normal;
        }
        return eog;
    }

    private int FindEog(bool[] eog, params string[] texts)
    {
        foreach (string t in texts)
        {
            int id = Texts.Find(Encoding.UTF8.GetBytes(t));
            if (id >= 0 && eog[id]) return id;
        }
        return -1;
    }

    private int[] BuildSpecialCache()
    {
        var list = new List<int>();
        for (int id = 0; id < Count; id++)
            if (Has(TokenAttributes.Control | TokenAttributes.UserDefined | TokenAttributes.Unknown, id)) list.Add(id);
        // Longest first; equal lengths by id (stable), where llama.cpp's unstable sort leaves the order open.
        return [.. list.OrderByDescending(id => Texts.Get(id).Length).ThenBy(id => id)];
    }

    private byte[] RenderPiece(int id)
    {
        var attr = Attributes[id];
        var text = Texts.Get(id);
        if ((attr & (TokenAttributes.Unknown | TokenAttributes.Control | TokenAttributes.UserDefined)) != 0) return text.ToArray();
        if (Kind == VocabularyKind.BytePairEncoding)
            return (attr & TokenAttributes.Normal) != 0 ? ByteLevel.Decode(text) : [];
        if ((attr & TokenAttributes.Normal) != 0) return UnescapeSpaces(text);
        if ((attr & TokenAttributes.Byte) != 0) return [ParseByteToken(text)];
        return [];
    }

    /// <summary>'▁' (U+2581, E2 96 81) back to a space.</summary>
    private static byte[] UnescapeSpaces(ReadOnlySpan<byte> text)
    {
        var result = new List<byte>(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (i + 2 < text.Length && text[i] == 0xE2 && text[i + 1] == 0x96 && text[i + 2] == 0x81)
            {
                result.Add((byte)' ');
                i += 2;
            }
            else result.Add(text[i]);
        }
        return [.. result];
    }

    /// <summary>The value of a <c>&lt;0xXX&gt;</c> byte token (hex digits at offsets 3 and 4).</summary>
    private static byte ParseByteToken(ReadOnlySpan<byte> text)
    {
        if (text.Length >= 5 && byte.TryParse(Encoding.ASCII.GetString(text.Slice(3, 2)), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out byte b))
            return b;
        throw new ModelConfigurationException($"Byte token '{Encoding.UTF8.GetString(text)}' is not of the form <0xXX>.");
    }

    // llama.cpp adjusts a few models' special tokens by name: jina v2 strips spaces left of <mask>; Phi-3 strips
    // whitespace right of its chat markers (and </s>), but not right of <unk>, <s> and <|endoftext|>.
    private void ApplyStripRules(string? modelName, string? pre)
    {
        pre ??= string.Empty;
        string name = (modelName ?? string.Empty).ToLowerInvariant();
        if (pre.Contains("jina-v2-de", StringComparison.Ordinal) || pre.Contains("jina-v2-es", StringComparison.Ordinal) || pre.Contains("jina-v2-code", StringComparison.Ordinal))
        {
            int mask = Texts.Find("<mask>"u8);
            if (mask >= 0) Attributes[mask] |= TokenAttributes.LStrip;
        }
        else if (name.Contains("phi-3", StringComparison.Ordinal) || name.Contains("phi3", StringComparison.Ordinal))
        {
            foreach (int id in SpecialTokens) Attributes[id] |= TokenAttributes.RStrip;
            int eos = Texts.Find("</s>"u8);
            if (eos >= 0) Attributes[eos] |= TokenAttributes.RStrip;
            foreach (var t in new[] { "<unk>", "<s>", "<|endoftext|>" })
            {
                int id = Texts.Find(Encoding.UTF8.GetBytes(t));
                if (id >= 0) Attributes[id] &= ~TokenAttributes.RStrip;
            }
        }
    }
}

/// <summary>Per-model defaults that metadata may override.</summary>
internal sealed class VocabularyFlags
{
    public required SpecialTokenIds Defaults { get; init; }
    public bool AddSpacePrefix { get; init; }
    public bool AddBos { get; init; }
    public bool AddEos { get; init; }
    public bool IgnoreMerges { get; init; }
    public bool AlwaysAddBos { get; init; }
}
