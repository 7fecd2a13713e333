using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Cli.Commands;

/// <summary>
/// <c>hearth info -m MODEL [--json]</c>: what a GGUF file holds (architecture, size, tensor types, hyperparameters,
/// experts and the parameters active per token for mixtures of experts, tokenizer), read from the header only, so it works on vocabulary-only files and on models Hearth cannot run.
/// </summary>
internal static class InfoCommand
{
    /// <summary>Hyperparameters reported when present, as <c>&lt;arch&gt;.&lt;suffix&gt;</c> (the GGUF key names).</summary>
    private static readonly (string Suffix, string Label)[] Hyperparameters =
    [
        ("context_length", "context length"),
        ("embedding_length", "embedding length"),
        ("block_count", "layers"),
        ("attention.head_count", "attention heads"),
        ("attention.head_count_kv", "kv heads"),
        ("feed_forward_length", "feed-forward length"),
        ("rope.dimension_count", "rope dimensions"),
        ("expert_count", "experts"),
        ("expert_used_count", "experts used"),
    ];

    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "GGUF model file or ORG/REPO[:QUANT] from Hugging Face (default: the built-in model)" };
        var noPull = ModelSource.NoPullOption();
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var cmd = new Command("info", "Show a GGUF model's architecture, parameters, tensor types, context and tokenizer.") { model, json, noPull };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            string path = ModelSource.Resolve(parse.GetValue(model), parse.GetValue(noPull)) ?? BuiltInModel.EnsureExtracted();
            using var file = GgufFile.Open(path);
            var info = Summarize(file);
            if (parse.GetValue(json)) WriteJson(info);
            else WriteText(info);
            return 0;
        }));
        return cmd;
    }

    private sealed record TypeUsage(GgmlType Type, int Count, long Bytes);

    private sealed record Summary(
        GgufFile File,
        string? Architecture,
        string? Name,
        long Parameters,
        long? ActiveParameters,
        IReadOnlyList<TypeUsage> TensorTypes,
        IReadOnlyList<(string Key, string Label, GgufValue Value)> Hyperparameters,
        string? TokenizerModel,
        string? TokenizerPre,
        int? VocabSize,
        bool HasChatTemplate,
        (long KvBytesPerToken, long RecurrentStateBytes)? Memory);

    private static Summary Summarize(GgufFile f)
    {
        long parameters = 0;
        var byType = new SortedDictionary<GgmlType, (int Count, long Bytes)>();
        foreach (var t in f.Tensors)
        {
            parameters += t.ElementCount;
            var u = byType.GetValueOrDefault(t.Type);
            byType[t.Type] = (u.Count + 1, u.Bytes + t.ByteSize);
        }
        var types = new List<TypeUsage>(byType.Count);
        foreach (var kv in byType) types.Add(new TypeUsage(kv.Key, kv.Value.Count, kv.Value.Bytes));

        string? arch = StringOrNull(f, "general.architecture");
        var hyper = new List<(string, string, GgufValue)>();
        if (arch != null)
        {
            foreach (var (suffix, label) in Hyperparameters)
            {
                if (f.TryGetValue($"{arch}.{suffix}", out var v)) hyper.Add((suffix, label, v));
            }
        }
        int? vocab = f.TryGetValue("tokenizer.ggml.tokens", out var tokens) && tokens.IsArray ? tokens.ArrayLength : null;
        return new Summary(f, arch, StringOrNull(f, "general.name"), parameters, ActiveParameters(f, arch, parameters), types, hyper,
            StringOrNull(f, "tokenizer.ggml.model"), StringOrNull(f, "tokenizer.ggml.pre"), vocab,
            f.TryGetValue("tokenizer.chat_template", out _), Memory(f, arch));
    }

    /// <summary>Per-sequence memory when Hearth can run the file: KV cache bytes per token (attention layers) and the
    /// recurrent state of a hybrid model (fixed per sequence); null for files it cannot run (info never fails on them).</summary>
    private static (long, long)? Memory(GgufFile f, string? arch)
    {
        if (arch is null || f.FindTensor("token_embd.weight") is null) return null;
        try
        {
            var c = Hearth.Models.ModelConfig.Read(f);
            return (c.KvCacheBytesPerToken, c.RecurrentStateBytes);
        }
        catch (Exception e) when (e is GgufFormatException or NotSupportedException or InvalidDataException or InvalidCastException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>
    /// Parameters one token runs through in a mixture-of-experts model: all of them except the unchosen share of the
    /// routed experts' tensors (<c>*_exps.*</c>: (1 - expert_used_count / expert_count) of their elements); shared experts,
    /// attention, embeddings and dense blocks count whole. Null for dense models.
    /// </summary>
    private static long? ActiveParameters(GgufFile f, string? arch, long parameters)
    {
        if (arch is null || !f.TryGetValue($"{arch}.expert_count", out var countValue) || !f.TryGetValue($"{arch}.expert_used_count", out var usedValue)
            || countValue.IsArray || usedValue.IsArray) return null;
        long count = countValue.AsInt64(), used = usedValue.AsInt64();
        if (count <= 0 || used <= 0 || used > count) return null;
        long routed = 0;
        foreach (var t in f.Tensors)
        {
            if (t.Name.Contains("_exps.", StringComparison.Ordinal)) routed += t.ElementCount;
        }
        return parameters - routed + routed / count * used;
    }

    /// <summary>A string value, or null when the key is absent or holds another type (info never fails on odd metadata).</summary>
    private static string? StringOrNull(GgufFile f, string key) =>
        f.TryGetValue(key, out var v) && v.Value is string s ? s : null;

    private static void WriteJson(Summary s)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout))
        {
            w.WriteStartObject();
            w.WriteString("path", s.File.Path);
            w.WriteNumber("file_size_bytes", s.File.Length);
            w.WriteNumber("gguf_version", s.File.Version);
            w.WriteNumber("alignment", s.File.Alignment);
            w.WriteNumber("metadata_count", s.File.Metadata.Count);
            w.WriteNumber("tensor_count", s.File.Tensors.Count);
            w.WriteString("architecture", s.Architecture);
            w.WriteString("name", s.Name);
            w.WriteNumber("parameters", s.Parameters);
            if (s.ActiveParameters is long active) w.WriteNumber("active_parameters", active);
            w.WriteStartObject("tensor_types");
            foreach (var t in s.TensorTypes)
            {
                w.WriteStartObject(t.Type.ToString());
                w.WriteNumber("count", t.Count);
                w.WriteNumber("bytes", t.Bytes);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            foreach (var (key, _, value) in s.Hyperparameters)
            {
                w.WritePropertyName(key.Replace("attention.", "", StringComparison.Ordinal).Replace('.', '_'));
                WriteValue(w, value);
            }
            w.WriteStartObject("tokenizer");
            w.WriteString("model", s.TokenizerModel);
            w.WriteString("pre", s.TokenizerPre);
            if (s.VocabSize is int n) w.WriteNumber("vocab_size", n);
            else w.WriteNull("vocab_size");
            w.WriteEndObject();
            w.WriteBoolean("has_chat_template", s.HasChatTemplate);
            if (s.Memory is var (kv, recurrent))
            {
                w.WriteNumber("kv_cache_bytes_per_token", kv);
                w.WriteNumber("recurrent_state_bytes", recurrent);
            }
            w.WriteEndObject();
        }
        stdout.WriteByte((byte)'\n');
    }

    /// <summary>Numbers as numbers, arrays (per-layer values in some architectures) as JSON arrays.</summary>
    private static void WriteValue(Utf8JsonWriter w, GgufValue v)
    {
        switch (v.Value)
        {
            case float or double: w.WriteNumberValue(v.AsDouble()); break;
            case bool b: w.WriteBooleanValue(b); break;
            case string str: w.WriteStringValue(str); break;
            case ulong u: w.WriteNumberValue(u); break;
            case Array a:
                w.WriteStartArray();
                foreach (object? e in a)
                {
                    if (e is GgufValue inner) WriteValue(w, inner);
                    else WriteValue(w, new GgufValue(v.ElementType, e!));
                }
                w.WriteEndArray();
                break;
            default: w.WriteNumberValue(v.AsInt64()); break;
        }
    }

    private static void WriteText(Summary s)
    {
        var rows = new List<(string, string)>
        {
            ("file", s.File.Path ?? "(memory)"),
            ("file size", $"{Count(s.File.Length)} bytes ({Bytes(s.File.Length)})"),
            ("GGUF version", s.File.Version.ToString(CultureInfo.InvariantCulture)),
            ("architecture", s.Architecture ?? "(none)"),
            ("name", s.Name ?? "(none)"),
            ("parameters", $"{Count(s.Parameters)} ({Short(s.Parameters)})"),
        };
        if (s.ActiveParameters is long active) rows.Add(("active parameters", $"{Count(active)} ({Short(active)}) per token"));
        rows.Add(("tensors", Count(s.File.Tensors.Count)));
        foreach (var (_, label, value) in s.Hyperparameters) rows.Add((label, Text(value)));
        rows.Add(("tokenizer", s.TokenizerModel ?? "(none)"));
        if (s.TokenizerPre != null) rows.Add(("pre-tokenizer", s.TokenizerPre));
        if (s.VocabSize is int n) rows.Add(("vocabulary", Count(n) + " tokens"));
        rows.Add(("chat template", s.HasChatTemplate ? "yes" : "no"));
        if (s.Memory is var (kv, recurrent))
        {
            rows.Add(("KV cache", $"{Count(kv)} bytes per token"));
            if (recurrent > 0) rows.Add(("recurrent state", $"{Count(recurrent)} bytes per sequence ({Bytes(recurrent)})"));
        }
        rows.Add(("metadata keys", Count(s.File.Metadata.Count)));

        int width = 0;
        foreach (var (k, _) in rows) width = Math.Max(width, k.Length);
        var o = Console.Out;
        foreach (var (k, v) in rows) o.WriteLine($"{k.PadRight(width)}  {v}");
        if (s.TensorTypes.Count == 0) return;
        o.WriteLine();
        o.WriteLine($"{"type",-8} {"tensors",8} {"bytes",14}");
        foreach (var t in s.TensorTypes) o.WriteLine($"{t.Type,-8} {t.Count,8} {Count(t.Bytes),14}");
    }

    private static string Text(GgufValue v) => v.Value switch
    {
        Array a when a.Length <= 16 => "[" + string.Join(", ", ArrayItems(v, a)) + "]",
        float or double => v.AsDouble().ToString(CultureInfo.InvariantCulture),
        _ => v.ToString(),
    };

    private static IEnumerable<string> ArrayItems(GgufValue v, Array a)
    {
        foreach (object? e in a) yield return e is GgufValue inner ? Text(inner) : Text(new GgufValue(v.ElementType, e!));
    }

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Bytes(long n) => n switch
    {
        >= 1L << 30 => $"{n / (double)(1L << 30):F2} GiB",
        >= 1L << 20 => $"{n / (double)(1L << 20):F2} MiB",
        >= 1L << 10 => $"{n / 1024.0:F2} KiB",
        _ => $"{n} B",
    };

    private static string Short(long n) => n switch
    {
        >= 1_000_000_000 => (n / 1e9).ToString("F2", CultureInfo.InvariantCulture) + " B",
        >= 1_000_000 => (n / 1e6).ToString("F2", CultureInfo.InvariantCulture) + " M",
        >= 1_000 => (n / 1e3).ToString("F1", CultureInfo.InvariantCulture) + " K",
        _ => n.ToString(CultureInfo.InvariantCulture),
    };
}
