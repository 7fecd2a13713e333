using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Hearth.Cli.Commands;

/// <summary>
/// <c>hearth embed -m MODEL --text T [--text T2 …] [--json]</c>: one embedding per text, pooled as the model says and
/// scaled to unit length (as llama.cpp's embedding tool does by default); texts are tokenized with special tokens added
/// and parsed. For a reranking model each row is its score. <c>--json</c> prints
/// <c>{"embeddings":[[…],…],"pooling":"mean|cls|last|rank"}</c> (a stable form).
/// </summary>
internal static class EmbedCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "GGUF embedding model (a path or REPO[:QUANT])", Required = true };
        var texts = new Option<string[]>("--text", "-p") { Description = "A text to embed (repeat for several)", Required = true, AllowMultipleArgumentsPerToken = false };
        var threads = new Option<int>("--threads", "-t") { Description = "Threads (default: all cores)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var noPull = ModelSource.NoPullOption();
        var cmd = new Command("embed", "Embed texts with an embedding model (pooled, unit length).") { model, texts, threads, json, noPull };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            string[] inputs = parse.GetValue(texts) ?? [];
            if (inputs.Length == 0) throw new ArgumentException("Give at least one --text to embed.");
            using var m = Model.Load(ModelSource.Resolve(parse.GetValue(model), parse.GetValue(noPull))!, new ModelOptions { Threads = parse.GetValue(threads) });
            float[][] rows = m.Embed(inputs);
            string pooling = m.Pooling.ToString().ToLowerInvariant();
            using var stdout = Console.OpenStandardOutput();
            if (parse.GetValue(json))
            {
                using (var w = new Utf8JsonWriter(stdout))
                {
                    w.WriteStartObject();
                    w.WriteStartArray("embeddings");
                    foreach (var row in rows)
                    {
                        w.WriteStartArray();
                        foreach (float x in row) w.WriteNumberValue(x);
                        w.WriteEndArray();
                    }
                    w.WriteEndArray();
                    w.WriteString("pooling", pooling);
                    w.WriteEndObject();
                }
                stdout.WriteByte((byte)'\n');
            }
            else
            {
                var sb = new StringBuilder();
                sb.Append(CultureInfo.InvariantCulture, $"pooling: {pooling}, {rows.Length} input(s), {(rows.Length > 0 ? rows[0].Length : 0)} dimensions\n");
                for (int i = 0; i < rows.Length; i++)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"{i}:");
                    for (int j = 0; j < Math.Min(8, rows[i].Length); j++) sb.Append(CultureInfo.InvariantCulture, $" {rows[i][j]:F6}");
                    if (rows[i].Length > 8) sb.Append(" …");
                    sb.Append('\n');
                }
                stdout.Write(Encoding.UTF8.GetBytes(sb.ToString()));
            }
            return 0;
        }));
        return cmd;
    }
}
