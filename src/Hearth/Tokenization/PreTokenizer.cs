namespace Hearth.Tokenization;

/// <summary>
/// Splits text into words before byte-level BPE, as selected by <c>tokenizer.ggml.pre</c>. Like llama.cpp, a
/// pre-tokenizer is a list of patterns applied in turn: each pattern cuts every chunk left by the previous ones into
/// its matches and the text between them.
/// </summary>
internal sealed class PreTokenizer
{
    private static readonly string[] Llama3Names = ["llama3", "llama-v3", "llama-bpe", "falcon3"];
    private static readonly string[] Gpt2Names = ["gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v1-en", "jina-v2-es", "jina-v2-de", "jina-v2-code", "roberta-bpe", "mpt", "olmo", "jais"];
    private static readonly string[] StarCoderNames = ["starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b"];
    private static readonly string[] Qwen2Names = ["qwen2", "deepseek-r1-qwen", "megrez", "stablelm2"];
    private static readonly string[] Gpt4oNames = ["gpt-4o", "llama4", "kanana2", "talkie", "minimax-m2"];
    private static readonly string[] PoroNames = ["poro-chat", "bloom", "gpt3-finnish"];
    private static readonly string[] OtherNames = ["tekken", "qwen35", "gemma4", "default", "dbrx", "smaug-bpe", "deepseek-llm", "deepseek-coder", "deepseek-v3", "falcon", "chatglm-bpe", "viking"];

    // Han, CJK extension A and Hangul ranges of the DeepSeek patterns (as written there: U+0800..U+4E00 is one range).
    private const string DeepSeekCjk = "\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF";

    private const string DeepSeekLetters =
        "A-Za-z\u00B5\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u01BA\u01BC-\u01BF\u01C4-\u0293\u0295-\u02AF\u0370-\u0373\u0376\u0377" +
        "\u037B-\u037D\u037F\u0386\u0388-\u038A\u038C\u038E-\u03A1\u03A3-\u03F5\u03F7-\u0481\u048A-\u052F\u0531-\u0556" +
        "\u10A0-\u10C5\u13A0-\u13F5\u13F8-\u13FD\u1C90-\u1CBA\u1CBD-\u1CBF\u1D00-\u1D2B\u1D6B-\u1D77\u1D79-\u1D9A\u1E00-\u1F15" +
        "\u1F18-\u1F1D\u1F20-\u1F45\u1F48-\u1F4D\u1F50-\u1F57\u1F59\u1F5B\u1F5D\u1F5F-\u1F7D\u1F80-\u1FB4\u1FB6-\u1FBC\u1FBE" +
        "\u1FC2-\u1FC4\u1FC6-\u1FCC\u1FD0-\u1FD3\u1FD6-\u1FDB\u1FE0-\u1FEC\u1FF2-\u1FF4\u1FF6-\u1FFC\u2102\u2107\u210A-\u2113" +
        "\u2115\u2119-\u211D\u2124\u2126\u2128\u212A-\u212D\u212F-\u2134\u2139\u213C-\u213F\u2145-\u2149\u214E\u2183\u2184" +
        "\u2C00-\u2C7B\u2C7E-\u2CE4\u2CEB-\u2CEE\u2CF2\u2CF3\uA640-\uA66D\uA680-\uA69B\uA722-\uA76F\uA771-\uA787\uA78B-\uA78E" +
        "\uAB70-\uABBF\uFB00-\uFB06\uFB13-\uFB17\uFF21-\uFF3A\uFF41-\uFF5A\U00010400-\U0001044F\U000104B0-\U000104D3" +
        "\U000104D8-\U000104FB\U00010C80-\U00010CB2\U00010CC0-\U00010CF2\U000118A0-\U000118DF\U0001E900-\U0001E943";

    private PreTokenizer(string name, SplitRule[] rules, bool addBos = false, bool ignoreMerges = false, bool noBos = false, bool spaceEscaped = false)
    {
        Name = name;
        Rules = rules;
        AddBos = addBos;
        IgnoreMerges = ignoreMerges;
        NoDefaultBos = noBos;
        SpaceEscaped = spaceEscaped;
    }

    public string Name { get; }

    public SplitRule[] Rules { get; }

    /// <summary>llama.cpp turns add_bos on for these vocabularies unless the file says otherwise.</summary>
    public bool AddBos { get; }

    public bool IgnoreMerges { get; }

    /// <summary>
    /// SentencePiece-style BPE (Gemma 4): spaces become '▁' before splitting, merges run on raw UTF-8 characters
    /// (no byte-level spelling), bytes outside the vocabulary fall back to <c>&lt;0xXX&gt;</c> tokens, and a run of
    /// newlines that is itself a token is taken whole. llama.cpp always adds BOS for these vocabularies.
    /// </summary>
    public bool SpaceEscaped { get; }

    private bool NoDefaultBos { get; }

    public static string SupportedNames =>
        string.Join(", ", Llama3Names.Concat(Gpt2Names).Concat(StarCoderNames).Concat(Qwen2Names).Concat(Gpt4oNames).Concat(PoroNames).Concat(OtherNames).Order(StringComparer.Ordinal));

    public SpecialTokenIds AdjustDefaults(SpecialTokenIds ids)
    {
        if (NoDefaultBos) ids.Bos = -1;
        return ids;
    }

    /// <summary>The pre-tokenizer llama.cpp uses for <paramref name="name"/>; none or empty means "default".</summary>
    public static PreTokenizer ForName(string? name)
    {
        name = string.IsNullOrEmpty(name) ? "default" : name;
        var digit = Classes.Number;
        if (Llama3Names.Contains(name)) return new(name, [new Llama3Rule(3)], addBos: true, ignoreMerges: true);
        if (Gpt2Names.Contains(name)) return new(name, [new Gpt2Rule()]);
        if (StarCoderNames.Contains(name)) return new(name, [new RepeatRule(digit, 1, 1), new Gpt2Rule()]);
        if (Qwen2Names.Contains(name)) return new(name, [new Llama3Rule(1)]);
        if (Gpt4oNames.Contains(name)) return new(name, [new Gpt4oRule()]);
        if (PoroNames.Contains(name)) return new(name, [PoroRule()]);
        return name switch
        {
            "default" => new(name, [new RunRule(PunctuationOr("$+<=>^~|")), new Gpt2Rule(), new RunRule(digit), new RepeatRule(Classes.AsciiDigit, 3, 3)]),
            "falcon" => new(name, [new RunRule(PunctuationOr("$+<=>^~|`")), new Gpt2Rule(), new RepeatRule(Classes.AsciiDigit, 3, 3)]),
            "tekken" => new(name, [new Gpt4oRule(contractions: false, maxDigits: 1)], addBos: true, ignoreMerges: true),
            "qwen35" => new(name, [new Llama3Rule(1, marks: true)]),
            "gemma4" => new(name, [new RunRule((c, _) => c == '\n')], spaceEscaped: true),
            "dbrx" or "smaug-bpe" => new(name, [new Llama3Rule(3)]),
            "chatglm-bpe" => new(name, [new Llama3Rule(3)], noBos: true),
            "viking" => new(name, [PoroRule(), new RepeatRule(digit, 1, 1)]),
            "deepseek-llm" => new(name,
            [
                new RepeatRule(Classes.CrLf, 1, 1),
                new OptionalSpaceRunRule(Classes.Literal(DeepSeekLetters)),
                new OptionalSpaceRunRule(Classes.Literal("!-/:-~\uFF01-\uFF0F\uFF1A-\uFF5E\u2018-\u201F\u3000-\u3002")),
                new TrailingWhitespaceRule(),
                new RunRule(Classes.Literal(DeepSeekCjk)),
                new RunRule(digit),
            ]),
            "deepseek-coder" => new(name,
            [
                new RepeatRule(Classes.CrLf, 1, 1),
                new OptionalSpaceRunRule(Classes.Letter),
                new OptionalSpaceRunRule(Classes.Punctuation),
                new RunRule(Classes.Literal(DeepSeekCjk)),
                new RepeatRule(digit, 1, 1),
            ]),
            "deepseek-v3" => new(name,
            [
                new RepeatRule(digit, 1, 3),
                new RunRule(Classes.Literal("\u4E00-\u9FA5\u3040-\u309F\u30A0-\u30FF")),
                new DeepSeekV3Rule(),
            ]),
            _ => throw new NotSupportedException(
                $"Pre-tokenizer '{name}' (tokenizer.ggml.pre) is not supported; supported pre-tokenizers: {SupportedNames}."),
        };
    }

    /// <summary>Cuts code points [0, cp.Length) into words: returns (start, end) pairs in one of the two lists given.</summary>
    public IntList Split(ReadOnlySpan<int> cp, ReadOnlySpan<CharFlags> f, IntList words, IntList scratch)
    {
        words.Clear();
        if (cp.IsEmpty) return words;
        words.Add(0);
        words.Add(cp.Length);
        foreach (var rule in Rules)
        {
            scratch.Clear();
            for (int k = 0; k < words.Count; k += 2)
            {
                int p = words[k], end = words[k + 1];
                while (p < end)
                {
                    if (!rule.Find(cp, f, p, end, out int start, out int length))
                    {
                        scratch.Add(p);
                        scratch.Add(end);
                        break;
                    }
                    if (start > p) { scratch.Add(p); scratch.Add(start); }
                    scratch.Add(start);
                    scratch.Add(start + length);
                    p = start + length;
                }
            }
            (words, scratch) = (scratch, words);
        }
        return words;
    }

    private static CharPredicate PunctuationOr(string extra) => (c, f) => (f & CharFlags.Punctuation) != 0 || (c < 128 && extra.Contains((char)c, StringComparison.Ordinal));

    private static OptionalSpaceRunRule PoroRule()
    {
        const string stops = "(|.,!?\u2026\u3002\uFF0C\u3001\u0964\u06D4\u060C)";
        return new OptionalSpaceRunRule((c, f) => (f & CharFlags.Whitespace) == 0 && !(c <= 0xFFFF && stops.Contains((char)c, StringComparison.Ordinal)), spaceOnly: true);
    }
}
