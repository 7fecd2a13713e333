using System.Text;
using System.Text.Json;

namespace Hearth.Tokenization;

/// <summary>
/// Loads a Hugging Face <c>tokenizer.json</c> (byte-level BPE) into the same tokenizer llama.cpp builds from the GGUF
/// that its converter would write: vocabulary ids, merges in rank order, added tokens as control tokens (when marked
/// special or looking like <c>&lt;|...|&gt;</c>) or user-defined tokens, and the pre-tokenizer named after the split
/// regex. A <c>tokenizer_config.json</c> beside it supplies BOS/EOS/pad and add_bos_token.
/// </summary>
/// <remarks>
/// llama.cpp (and so Hearth) does not apply a tokenizer.json normalizer such as Qwen's NFC; text that is already NFC,
/// as nearly all text is, tokenizes the same.
/// </remarks>
internal static class HuggingFaceTokenizerJson
{
    private const string Llama3Regex = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    private const string Qwen2Regex = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>o200k (GPT-4o, gpt-oss).</summary>
    private const string Gpt4oRegex =
        @"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|" +
        @"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|" +
        @"\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    public static Tokenizer Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"tokenizer.json not found: {path}", path);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 256 });
        var root = doc.RootElement;
        var model = root.GetProperty("model");
        string type = model.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
        if (type != "BPE") throw new NotSupportedException($"{path}: tokenizer model '{type}' is not supported; only byte-level BPE tokenizer.json files are.");

        var byId = new Dictionary<int, string>();
        foreach (var entry in model.GetProperty("vocab").EnumerateObject()) byId[entry.Value.GetInt32()] = entry.Name;
        var added = new Dictionary<int, bool>(); // id -> special
        if (root.TryGetProperty("added_tokens", out var addedTokens) && addedTokens.ValueKind == JsonValueKind.Array)
        {
            foreach (var a in addedTokens.EnumerateArray())
            {
                int id = a.GetProperty("id").GetInt32();
                byId[id] = a.GetProperty("content").GetString() ?? "";
                added[id] = a.TryGetProperty("special", out var sp) && sp.GetBoolean();
            }
        }
        int count = byId.Count == 0 ? 0 : byId.Keys.Max() + 1;
        var strings = new string[count];
        var types = new int[count];
        for (int id = 0; id < count; id++)
        {
            if (!byId.TryGetValue(id, out string? text)) { strings[id] = $"[PAD{id}]"; types[id] = 5; continue; }
            strings[id] = text;
            if (!added.TryGetValue(id, out bool special)) types[id] = 1;
            else types[id] = special || LooksSpecial(text) ? 3 : 4;
        }

        string pre = PreTokenizerName(root, path);
        var meta = new Dictionary<string, object> { ["tokenizer.ggml.pre"] = pre };
        ReadConfig(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "tokenizer_config.json"), strings, meta);

        var preTokenizer = PreTokenizer.ForName(pre);
        var texts = Array.ConvertAll(strings, s => Encoding.UTF8.GetBytes(s));
        var vocab = new Vocabulary(VocabularyKind.BytePairEncoding, texts, strings, null, types, new DictionaryTokenizerMetadata(meta), new VocabularyFlags
        {
            Defaults = preTokenizer.AdjustDefaults(SpecialTokenIds.DefaultsFor(VocabularyKind.BytePairEncoding)),
            AddBos = preTokenizer.AddBos,
            IgnoreMerges = preTokenizer.IgnoreMerges,
        });

        var pairs = new List<(byte[], byte[])>();
        foreach (var m in model.GetProperty("merges").EnumerateArray())
        {
            if (m.ValueKind == JsonValueKind.Array)
            {
                pairs.Add((Encoding.UTF8.GetBytes(m[0].GetString() ?? ""), Encoding.UTF8.GetBytes(m[1].GetString() ?? "")));
                continue;
            }
            string s = m.GetString() ?? "";
            int space = s.IndexOf(' ', 1);
            if (space < 0) throw new InvalidDataException($"{path}: merge {pairs.Count} ('{s}') is not two tokens separated by a space.");
            pairs.Add((Encoding.UTF8.GetBytes(s[..space]), Encoding.UTF8.GetBytes(s[(space + 1)..])));
        }
        return new BpeTokenizer(vocab, BpeMerges.FromPairs(vocab, pairs, $"{Path.GetFileName(path)} merges"), preTokenizer);
    }

    /// <summary>llama.cpp's converter also makes control tokens of added tokens that merely look special.</summary>
    private static bool LooksSpecial(string text) =>
        text is "<pad>" or "<mask>" or "<2mass>" or "[@BOS@]"
        || (text.StartsWith("<|", StringComparison.Ordinal) && text.EndsWith("|>", StringComparison.Ordinal))
        || (text.StartsWith("<\uFF5C", StringComparison.Ordinal) && text.EndsWith("\uFF5C>", StringComparison.Ordinal))
        || (text.StartsWith("<unused", StringComparison.Ordinal) && text.EndsWith('>'));

    private static string PreTokenizerName(JsonElement root, string path)
    {
        var regexes = new List<string>();
        bool byteLevelRegex = false;
        if (root.TryGetProperty("pre_tokenizer", out var pre) && pre.ValueKind == JsonValueKind.Object) Collect(pre, regexes, ref byteLevelRegex);
        if (regexes.Count == 1 && regexes[0] == Llama3Regex) return "llama-bpe";
        if (regexes.Count == 1 && regexes[0] == Qwen2Regex) return "qwen2";
        if (regexes.Count == 1 && regexes[0] == Gpt4oRegex) return "gpt-4o";
        if (regexes.Count == 0 && byteLevelRegex) return "gpt-2";
        throw new NotSupportedException(
            $"{path}: the pre-tokenizer (split regex {string.Join(", ", regexes.Select(r => $"'{r}'"))}) is not one Hearth recognises " +
            "in tokenizer.json; supported: the GPT-2 byte-level regex, Llama 3's, Qwen2's and GPT-4o's (o200k) split regexes.");
    }

    private static void Collect(JsonElement e, List<string> regexes, ref bool byteLevelRegex)
    {
        string type = e.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
        if (type == "Sequence" && e.TryGetProperty("pretokenizers", out var list))
            foreach (var p in list.EnumerateArray()) Collect(p, regexes, ref byteLevelRegex);
        else if (type == "Split" && e.TryGetProperty("pattern", out var pattern) && pattern.TryGetProperty("Regex", out var rx))
            regexes.Add(rx.GetString() ?? "");
        else if (type == "ByteLevel" && e.TryGetProperty("use_regex", out var ur) && ur.GetBoolean())
            byteLevelRegex = true;
    }

    private static void ReadConfig(string configPath, string[] tokens, Dictionary<string, object> meta)
    {
        if (!File.Exists(configPath)) return;
        using var doc = JsonDocument.Parse(File.ReadAllBytes(configPath));
        var root = doc.RootElement;
        void Id(string property, string key)
        {
            if (!root.TryGetProperty(property, out var v)) return;
            string? text = v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Object when v.TryGetProperty("content", out var c) => c.GetString(),
                _ => null,
            };
            int id = text == null ? -1 : Array.IndexOf(tokens, text);
            if (id >= 0) meta[key] = (long)id;
        }
        Id("bos_token", "tokenizer.ggml.bos_token_id");
        Id("eos_token", "tokenizer.ggml.eos_token_id");
        Id("pad_token", "tokenizer.ggml.padding_token_id");
        if (root.TryGetProperty("add_bos_token", out var ab) && ab.ValueKind is JsonValueKind.True or JsonValueKind.False) meta["tokenizer.ggml.add_bos_token"] = ab.GetBoolean();
        if (root.TryGetProperty("add_eos_token", out var ae) && ae.ValueKind is JsonValueKind.True or JsonValueKind.False) meta["tokenizer.ggml.add_eos_token"] = ae.GetBoolean();
    }
}
