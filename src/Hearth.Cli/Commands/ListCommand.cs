using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Hearth.Gguf;
using Hearth.Hub;
using Spectre.Console;

namespace Hearth.Cli.Commands;

/// <summary><c>hearth list [--json]</c>: the GGUF models in the hub cache, with what their headers say.</summary>
internal static class ListCommand
{
    internal sealed record Entry(PulledModel Model, string? Architecture, long Parameters, string? QuantType, DateTime? LastUsed, string? Error);

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var cmd = new Command("list", "List the models in the model cache (repo:quant, size, architecture, parameters, quantization, last used).") { json };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            var settings = HubSettings.FromEnvironment();
            var entries = Entries(settings);
            if (parse.GetValue(json)) WriteJson(settings, entries);
            else WriteTable(settings, entries);
            return 0;
        }));
        return cmd;
    }

    /// <summary>Every model of every cached repository's current snapshot (split parts counted as one model).</summary>
    internal static List<Entry> Entries(HubSettings settings)
    {
        var cache = new HubCache(settings.CacheDirectory);
        var result = new List<Entry>();
        using var puller = new ModelPuller(settings with { Offline = true });
        foreach (string repo in cache.Repos())
        {
            string? commit = cache.CachedCommit(repo, "main");
            if (commit == null) continue;
            foreach (var group in QuantSelector.Groups(cache.SnapshotFiles(repo, commit), f => f))
            {
                var model = puller.FindCached(new ModelReference(repo, null, group[0], commit));
                if (model == null) continue;
                result.Add(Describe(settings, model));
            }
        }
        return result;
    }

    private static Entry Describe(HubSettings settings, PulledModel model)
    {
        DateTime? used = ModelSource.LastUsed(settings.CacheDirectory, model.Repo, model.Files[0]);
        try
        {
            using var file = GgufFile.Open(model.EntryPath);
            long parameters = 0;
            var bytesByType = new Dictionary<Numerics.GgmlType, long>();
            foreach (var t in file.Tensors)
            {
                parameters += t.ElementCount;
                bytesByType[t.Type] = bytesByType.GetValueOrDefault(t.Type) + t.ByteSize;
            }
            // The type holding most of the bytes is what the file is "in" (norms stay F32 in every quantization).
            string? quant = bytesByType.Count == 0 ? null : bytesByType.MaxBy(kv => kv.Value).Key.ToString();
            return new Entry(model, file.GetString("general.architecture"), parameters, quant, used, null);
        }
        catch (Exception e) when (e is GgufFormatException or IOException or InvalidCastException or UnauthorizedAccessException)
        {
            return new Entry(model, null, 0, null, used, e.Message);
        }
    }

    private static void WriteTable(HubSettings settings, List<Entry> entries)
    {
        if (entries.Count == 0)
        {
            Console.WriteLine($"No models in {settings.CacheDirectory}; get one with 'hearth pull ORG/REPO[:QUANT]'.");
            return;
        }
        var table = new Table().AddColumns("model", "size", "architecture", "parameters", "quant type", "last used");
        foreach (var e in entries)
        {
            table.AddRow(
                Markup.Escape(e.Model.Display + (e.Model.Files.Count > 1 ? $" ({e.Model.Files.Count} parts)" : string.Empty)),
                Units.Bytes(e.Model.Size),
                Markup.Escape(e.Architecture ?? e.Error ?? "?"),
                e.Parameters > 0 ? Params(e.Parameters) : "-",
                e.QuantType ?? "-",
                e.LastUsed is { } u ? u.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "never");
        }
        AnsiConsole.Write(table);
        Console.WriteLine($"cache: {settings.CacheDirectory}");
    }

    private static void WriteJson(HubSettings settings, List<Entry> entries)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout))
        {
            w.WriteStartObject();
            w.WriteString("cache", settings.CacheDirectory);
            w.WriteStartArray("models");
            foreach (var e in entries)
            {
                w.WriteStartObject();
                w.WriteString("name", e.Model.Display);
                w.WriteString("repo", e.Model.Repo);
                if (e.Model.Tag != null) w.WriteString("quant", e.Model.Tag);
                w.WriteString("commit", e.Model.Commit);
                w.WriteStartArray("files");
                foreach (string f in e.Model.Files) w.WriteStringValue(f);
                w.WriteEndArray();
                w.WriteString("path", e.Model.EntryPath);
                w.WriteNumber("size_bytes", e.Model.Size);
                if (e.Architecture != null) w.WriteString("architecture", e.Architecture);
                w.WriteNumber("parameters", e.Parameters);
                if (e.QuantType != null) w.WriteString("quant_type", e.QuantType);
                if (e.LastUsed is { } u) w.WriteString("last_used", u.ToString("O", CultureInfo.InvariantCulture));
                else w.WriteNull("last_used");
                if (e.Error != null) w.WriteString("error", e.Error);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        stdout.WriteByte((byte)'\n');
    }

    private static string Params(long n) => n switch
    {
        >= 1_000_000_000 => (n / 1e9).ToString("F1", CultureInfo.InvariantCulture) + "B",
        >= 1_000_000 => (n / 1e6).ToString("F1", CultureInfo.InvariantCulture) + "M",
        >= 1_000 => (n / 1e3).ToString("F1", CultureInfo.InvariantCulture) + "K",
        _ => n.ToString(CultureInfo.InvariantCulture),
    };
}
