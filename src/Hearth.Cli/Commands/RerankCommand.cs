using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Hearth.Cli.Commands;

/// <summary>
/// <c>hearth rerank -m MODEL --query Q --doc D [--doc D2 …] [--top-n N] [--json]</c>: relevance scores of the documents
/// for the query from a reranking model, most relevant first. <c>--json</c> prints
/// <c>{"results":[{"index":i,"relevance_score":s,"document":"…"},…]}</c> (the shape of <c>/v1/rerank</c>).
/// </summary>
internal static class RerankCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "GGUF reranking model with pooling 'rank' (a path or REPO[:QUANT])", Required = true };
        var query = new Option<string>("--query", "-q") { Description = "The query", Required = true };
        var docs = new Option<string[]>("--doc", "-d") { Description = "A document to score (repeat for several)", Required = true };
        var topN = new Option<int>("--top-n") { Description = "Print only the N best (default: all)" };
        var threads = new Option<int>("--threads", "-t") { Description = "Threads (default: all cores)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var noPull = ModelSource.NoPullOption();
        var cmd = new Command("rerank", "Score documents against a query with a reranking model.") { model, query, docs, topN, threads, json, noPull };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            string[] documents = parse.GetValue(docs) ?? [];
            if (documents.Length == 0) throw new ArgumentException("Give at least one --doc to score.");
            using var m = Model.Load(ModelSource.Resolve(parse.GetValue(model), parse.GetValue(noPull))!, new ModelOptions { Threads = parse.GetValue(threads) });
            float[] scores = m.Rerank(parse.GetValue(query)!, documents);
            int[] order = Enumerable.Range(0, documents.Length).OrderByDescending(i => scores[i]).ToArray();
            int n = parse.GetValue(topN) is > 0 and var k ? Math.Min(k, order.Length) : order.Length;
            using var stdout = Console.OpenStandardOutput();
            if (parse.GetValue(json))
            {
                using (var w = new Utf8JsonWriter(stdout))
                {
                    w.WriteStartObject();
                    w.WriteStartArray("results");
                    foreach (int i in order.Take(n))
                    {
                        w.WriteStartObject();
                        w.WriteNumber("index", i);
                        w.WriteNumber("relevance_score", scores[i]);
                        w.WriteString("document", documents[i]);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                stdout.WriteByte((byte)'\n');
            }
            else
            {
                var sb = new StringBuilder();
                foreach (int i in order.Take(n)) sb.Append(CultureInfo.InvariantCulture, $"{scores[i],10:F4}  [{i}] {documents[i]}\n");
                stdout.Write(Encoding.UTF8.GetBytes(sb.ToString()));
            }
            return 0;
        }));
        return cmd;
    }
}
