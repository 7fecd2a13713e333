using System.Text.Json;
using Hearth.Gguf;

namespace Hearth.Tests.Tokenization;

/// <summary>
/// Vocabulary-only GGUF files made for the live comparison: the Llama 3 and Qwen3 tokenizer.json vocabularies written
/// the way llama.cpp's converter writes them, and copies of the GPT-2 vocabulary under every other pre-tokenizer name.
/// </summary>
internal static class VocabFiles
{
    private static readonly string Dir = Directory.CreateTempSubdirectory("hearth-vocab-").FullName;
    private static readonly Lock Gate = new();

    /// <summary>A copy of <paramref name="source"/> (testdata-relative) with tokenizer.ggml.pre set to <paramref name="pre"/>.</summary>
    public static string WithPre(string source, string pre)
    {
        string path = Path.Combine(Dir, $"{Path.GetFileNameWithoutExtension(source)}-{pre}.gguf");
        lock (Gate)
        {
            if (File.Exists(path)) return path;
            using var src = GgufFile.Open(TestData.PathOf(source));
            var w = GgufWriter.From(src);
            w.SetMetadata("tokenizer.ggml.pre", GgufValue.String(pre));
            w.WriteTo(path);
        }
        return path;
    }

    /// <summary>A gpt2 vocabulary GGUF from a tokenizer.json (hyperparameters borrowed from the llama SPM vocab file).</summary>
    public static string FromTokenizerJson(string json, string pre)
    {
        string path = Path.Combine(Dir, $"hf-{pre}.gguf");
        lock (Gate)
        {
            if (File.Exists(path)) return path;
            using var doc = JsonDocument.Parse(File.ReadAllBytes(TestData.PathOf(json)));
            var model = doc.RootElement.GetProperty("model");
            var byId = new Dictionary<int, (string Text, int Type)>();
            foreach (var e in model.GetProperty("vocab").EnumerateObject()) byId[e.Value.GetInt32()] = (e.Name, 1);
            foreach (var a in doc.RootElement.GetProperty("added_tokens").EnumerateArray())
            {
                string text = a.GetProperty("content").GetString()!;
                bool special = a.GetProperty("special").GetBoolean() || (text.StartsWith("<|", StringComparison.Ordinal) && text.EndsWith("|>", StringComparison.Ordinal));
                byId[a.GetProperty("id").GetInt32()] = (text, special ? 3 : 4);
            }
            int n = byId.Keys.Max() + 1;
            var tokens = new string[n];
            var types = new int[n];
            for (int i = 0; i < n; i++) (tokens[i], types[i]) = byId.TryGetValue(i, out var t) ? t : ($"[PAD{i}]", 5);
            var merges = model.GetProperty("merges").EnumerateArray()
                .Select(m => m.ValueKind == JsonValueKind.Array ? m[0].GetString() + " " + m[1].GetString() : m.GetString()!).ToArray();

            using var src = GgufFile.Open(TestData.PathOf("vocab/ggml-vocab-llama-spm.gguf"));
            var w = new GgufWriter();
            foreach (var kv in src.MetadataEntries)
                if (!kv.Key.StartsWith("tokenizer.", StringComparison.Ordinal)) w.SetMetadata(kv.Key, kv.Value);
            w.SetMetadata("tokenizer.ggml.model", GgufValue.String("gpt2"));
            w.SetMetadata("tokenizer.ggml.pre", GgufValue.String(pre));
            w.SetMetadata("tokenizer.ggml.tokens", GgufValue.Array(tokens));
            w.SetMetadata("tokenizer.ggml.token_type", GgufValue.Array(types));
            w.SetMetadata("tokenizer.ggml.merges", GgufValue.Array(merges));
            w.WriteTo(path);
        }
        return path;
    }
}
