using Hearth.Gguf;
using Hearth.Tokenization;

namespace Hearth.Tests.Tokenization;

/// <summary>
/// Differential tests against llama.cpp itself (LLamaSharp 0.30.0, vocabulary-only loads) on a corpus of code,
/// multilingual prose, whitespace edge cases and random Unicode, for every vocabulary and pre-tokenizer.
/// </summary>
public class LlamaCppComparisonTests
{
    private static readonly string[] Fixed =
    [
        "",
        " ",
        "  ",
        "\n",
        "\t\t",
        "Hello world",
        " Hello world",
        "Hello  world  ",
        "   leading and trailing   ",
        "line one\nline two\r\nline three\n\n\n  indented\n\t\ttabbed",
        "DON'T you think it's 'quoted' WE'LL SEE I'M he'd they're we've 'S 'T",
        "The year 2024 had 366 days; π ≈ 3.14159, 1,000,000 and 12345678901234567890.",
        "for (int i = 0; i < n; i++) { sum += a[i] * b[i]; }  // dot\n    return sum;\n",
        "def f(x):\n    if x > 0:\n        return x ** 2\n    return -x  # comment\n",
        "<html><body class=\"main\">&nbsp;&lt;tag&gt;</body></html>",
        "{\"key\": [1, 2.5, null, true], \"nested\": {\"a\": \"b\"}}",
        "Ça va très bien, merci ! L'été à Paris — naïve café, Æsir, Œuvre.",
        "Größenordnung Straße übermäßig ÄÖÜ äöü ß",
        "Съешь же ещё этих мягких французских булок, да выпей чаю.",
        "我们的目标是让每个人都能使用人工智能。今天天气很好！",
        "日本語のテキスト、カタカナとひらがな。東京タワー",
        "한국어 문장입니다. 안녕하세요!",
        "مرحبا بالعالم، هذا نص عربي.",
        "हिन्दी में एक वाक्य है।",
        "ภาษาไทยไม่มีช่องว่างระหว่างคำ",
        "Ελληνικά: Γειά σου Κόσμε",
        "emoji 😀👍🏽 👩‍👩‍👧‍👦 🇯🇵 ❤️ 🏳️‍🌈 ✅",
        "e\u0301 a\u0308 n\u0303 Z\u0351\u0352\u0353 combining",
        "\u00A0nbsp\u00A0 \u2003em\u2003 \u3000ideographic\u3000 \u200Bzero\u200Bwidth",
        "\u0001\u0002\u001B[31mred\u001B[0m \u007F",
        "tabs\tand\vvertical\ffeed",
        "<s> </s> <unk> <|endoftext|> <|im_start|>user\nhi<|im_end|>",
        "[CLS] [SEP] [MASK] <fim_prefix>code<fim_suffix>",
        "   \n   \n   ",
        "a\n\nb\r\n\r\nc \n d",
        "$100 + 50% = <x> ^ ~ | ` @ # & * ( ) [ ] { } \\ / ? ! , . ; :",
        "๑๒๓ ٣٤٥ ¹²³ ½ Ⅻ",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ];

    private static IEnumerable<string> Corpus()
    {
        foreach (string s in Fixed) yield return s;
        var rng = new Random(4242);
        for (int i = 0; i < 120; i++) yield return RoundTripTests.RandomText(rng, rng.Next(1, 30));
    }

    public static TheoryData<string> GgufVocabs() => new(Vocabs.All.Where(v => v.Source.EndsWith(".gguf", StringComparison.Ordinal)).Select(v => v.Source));

    [Theory]
    [MemberData(nameof(GgufVocabs))]
    public void Same_ids_as_llama_cpp_on_the_corpus(string source) => Compare(TestData.PathOf(source));

    [Theory]
    [InlineData("vocab/ggml-vocab-qwen35.gguf")]
    [InlineData("vocab/ggml-vocab-gemma-4.gguf")]
    [InlineData("vocab/ggml-vocab-nomic-bert-moe.gguf")]
    public void Same_ids_as_llama_cpp_for_the_2026_vocabularies(string file) => Compare(TestData.LocalPathOf(file));

    [Theory]
    [InlineData("tokenizers/llama3/tokenizer.json", "llama-bpe")]
    [InlineData("tokenizers/qwen3/tokenizer.json", "qwen2")]
    [InlineData("tokenizers/qwen3/tokenizer.json", "deepseek-r1-qwen")]
    public void Same_ids_as_llama_cpp_for_tokenizer_json_vocabularies(string json, string pre)
    {
        string path = VocabFiles.FromTokenizerJson(json, pre);
        Compare(path);
        // The tokenizer.json loader builds the same tokenizer as the converted GGUF.
        var fromJson = Tokenizer.FromTokenizerJson(TestData.PathOf(json));
        using var file = GgufFile.Open(path);
        var fromGguf = Tokenizer.FromGguf(file);
        foreach (string text in Corpus()) Assert.Equal(fromGguf.Encode(text, false, true), fromJson.Encode(text, false, true));
    }

    /// <summary>
    /// A tokenizer.json whose split regex is o200k's (gpt-oss, GPT-4o) loads with the gpt-4o pre-tokenizer: the Llama 3
    /// vocabulary with its regex swapped gives the ids llama.cpp gives for the same vocabulary converted with pre=gpt-4o.
    /// </summary>
    [Fact]
    public void A_tokenizer_json_with_the_o200k_regex_tokenizes_like_the_gpt_4o_gguf()
    {
        const string o200k =
            @"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|" +
            @"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|" +
            @"\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllBytes(TestData.PathOf("tokenizers/llama3/tokenizer.json")))!;
        var pattern = root["pre_tokenizer"]!["pretokenizers"]![0]!["pattern"]!;
        Assert.StartsWith("(?i:'s|'t|'re", pattern["Regex"]!.GetValue<string>(), StringComparison.Ordinal);
        pattern["Regex"] = o200k;
        string dir = Directory.CreateTempSubdirectory("hearth-o200k-").FullName;
        try
        {
            string path = Path.Combine(dir, "tokenizer.json");
            File.WriteAllText(path, root.ToJsonString());
            var fromJson = Tokenizer.FromTokenizerJson(path);
            string gguf = VocabFiles.FromTokenizerJson("tokenizers/llama3/tokenizer.json", "gpt-4o");
            Compare(gguf, CasedWords);
            using var file = GgufFile.Open(gguf);
            var fromGguf = Tokenizer.FromGguf(file);
            foreach (string text in CasedWords.Concat(Corpus())) Assert.Equal(fromGguf.Encode(text, false, true), fromJson.Encode(text, false, true));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Every pre-tokenizer, each over the GPT-2 vocabulary (the patterns decide the words; the vocabulary only spells them).</summary>
    public static TheoryData<string> PreNames() => new(PreTokenizerNames());

    [Theory]
    [MemberData(nameof(PreNames))]
    public void Same_ids_as_llama_cpp_for_every_pre_tokenizer(string pre) => Compare(VocabFiles.WithPre("vocab/ggml-vocab-gpt-2.gguf", pre));

    private static IEnumerable<string> PreTokenizerNames() =>
    [
        "default", "llama3", "llama-bpe", "falcon3", "dbrx", "smaug-bpe", "deepseek-llm", "deepseek-coder", "deepseek-v3",
        "falcon", "mpt", "starcoder", "gpt-2", "phi-2", "roberta-bpe", "refact", "command-r", "qwen2", "deepseek-r1-qwen",
        "stablelm2", "olmo", "poro-chat", "chatglm-bpe", "viking", "jais", "smollm", "codeshell", "bloom", "gpt3-finnish",
        "exaone", "minerva-7b", "megrez", "jina-v2-code", "qwen35", "gpt-4o", "llama4", "kanana2", "talkie", "minimax-m2",
        "tekken",
    ];

    /// <summary>
    /// What the case-splitting patterns (gpt-4o, tekken) look at: case changes inside words, all-caps runs, non-ASCII
    /// letters between ASCII ones, contractions after each kind of run, digit runs of every length, '/' and line
    /// breaks after punctuation.
    /// </summary>
    private static readonly string[] CasedWords =
    [
        "HelloWorld", "helloWorld", "HELLOworld", "HELLO", "HELLO world", "iPhone XSMax", "McDonald's", "camelCaseIdentifier",
        "snake_case_ID", "XMLHttpRequest", "getHTTPResponseCode", "ABCdefGHI", "aBcDeF", "A", "a", "Aa", "aA", "AAa",
        "DON'T", "don't", "Don'T", "I'M", "we'LL", "THEY'RE", "you've", "she'd", "it's", "'s", "x'", "O'Neil", "rock'n'roll",
        "ÉCOLE école Élève élève ÀÉÎõü", "ÄpfelBäume", "naïveCafé", "STRAßE", "ǅemal ǈubljana", "ΑθήναΕλλάδα", "МоскваРОССИЯ",
        "日本A", "A日本", "日本Abc", "abc日本DEF", "日本語テキストABC", "한국어Korean", "中文English混合Text", "ÉA'S", "AÉ'll",
        "1", "12", "123", "1234", "12345", "123456", "1234567", "a1b22c333d4444", "3.14159", "1,234,567", "x²³", "٣٤٥٦٧",
        "!/", "a!/\n", "foo/bar/baz/", "path/to/file.txt\n", "end.\n\n", "?!\r\n/x", " /\n/", ":)\n\n\nNext", "--/--\r\r",
        "   spaces   ", "\t\tTab\tSeparated\t", "\n\nLeading", "Trailing\n\n", " \n \n ", "a  b   c    d", "\u3000全角\u3000スペース",
        "emoji😀Word", "😀😀 😀", "👍🏽Thumbs", "#hashtag @mention $100 %percent", "e\u0301cole E\u0301COLE", "a\u0308b\u0308",
        "\u0001Hello\u001B", "«Guillemets» „Anführung“ ‚single‘", "Hello, World! How ARE you? I'm FINE.", "\u00A0Word\u2003WORD",
    ];

    [Theory]
    [InlineData("gpt-4o")]
    [InlineData("tekken")]
    public void Same_ids_as_llama_cpp_for_cased_words_numbers_and_slashes(string pre) =>
        Compare(VocabFiles.WithPre("vocab/ggml-vocab-gpt-2.gguf", pre), CasedWords.Concat(CaseSoup(300)));

    /// <summary>Random strings over a small alphabet of upper, lower and caseless letters, apostrophes, digits, '/' and whitespace.</summary>
    private static IEnumerable<string> CaseSoup(int count)
    {
        string[] alphabet = ["A", "Z", "b", "s", "S", "t", "L", "l", "e", "É", "é", "ß", "日", "ǅ", "'", "'", "1", "9", "٣", " ", " ", "\n", "\r", "\t", "/", "!", ".", "\u0301", "😀", "\u00A0"];
        var rng = new Random(404);
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < count; i++)
        {
            sb.Clear();
            int n = rng.Next(1, 16);
            for (int k = 0; k < n; k++) sb.Append(alphabet[rng.Next(alphabet.Length)]);
            yield return sb.ToString();
        }
    }

    private static void Compare(string path) => Compare(path, Corpus());

    private static void Compare(string path, IEnumerable<string> corpus)
    {
        Tokenizer hearth;
        using (var file = GgufFile.Open(path)) hearth = Tokenizer.FromGguf(file);
        using var llama = LlamaCppVocab.Load(path);
        var failures = new List<string>();
        int checkedCount = 0;
        foreach (string text in corpus)
        {
            foreach (var (addSpecial, parseSpecial) in new[] { (false, false), (true, true) })
            {
                int[] expected = llama.Tokenize(text, addSpecial, parseSpecial);
                int[] actual = hearth.Encode(text, addSpecial, parseSpecial);
                checkedCount++;
                if (!expected.AsSpan().SequenceEqual(actual) && failures.Count < 8)
                    failures.Add($"{TokenizerVectors.Show(text)} add={addSpecial} special={parseSpecial}\n  llama.cpp: {string.Join(' ', expected)}\n  hearth:    {string.Join(' ', actual)}");
            }
        }
        Assert.True(failures.Count == 0, $"{Path.GetFileName(path)}: differs from llama.cpp ({checkedCount} checked):\n" + string.Join('\n', failures));
    }
}
