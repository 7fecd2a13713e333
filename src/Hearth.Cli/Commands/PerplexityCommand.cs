using System.CommandLine;
using System.Text.Json;
using Hearth.Inference;

namespace Hearth.Cli.Commands;

/// <summary><c>hearth perplexity -m MODEL -f TEXTFILE [-c CTX] [--json]</c>, computed as llama.cpp's perplexity tool does.</summary>
internal static class PerplexityCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "GGUF model file or ORG/REPO[:QUANT] from Hugging Face (default: the built-in model)" };
        var noPull = ModelSource.NoPullOption();
        var file = new Option<string>("--file", "-f") { Description = "Text file to score", Required = true };
        var ctx = new Option<int>("--ctx-size", "-c") { Description = "Tokens per chunk (llama.cpp's default is 512)", DefaultValueFactory = _ => 512 };
        var threads = new Option<int>("--threads", "-t") { Description = "Threads (default: all cores)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var cmd = new Command("perplexity", "Compute perplexity over a text file (as llama.cpp's perplexity tool).") { model, file, ctx, threads, json, noPull };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            string path = ModelSource.Resolve(parse.GetValue(model), parse.GetValue(noPull)) ?? BuiltInModel.EnsureExtracted();
            string text = File.ReadAllText(parse.GetValue(file)!);
            using var m = Model.Load(path, new ModelOptions { Threads = parse.GetValue(threads) });
            var tok = m.Tokenizer;
            int[] tokens = tok.Encode(text, addSpecial: true, parseSpecial: false);
            bool asJson = parse.GetValue(json);
            var result = Perplexity.Compute(m, tokens, parse.GetValue(ctx), tok.AddBos ? tok.BosId : -1,
                asJson ? null : (c, ppl) => Console.Error.Write($"[{c + 1}]{ppl:F4} "));
            if (asJson)
            {
                using var stdout = Console.OpenStandardOutput();
                using (var w = new Utf8JsonWriter(stdout))
                {
                    w.WriteStartObject();
                    w.WriteNumber("perplexity", result.Perplexity);
                    w.WriteNumber("tokens", result.ScoredTokens);
                    w.WriteNumber("chunks", result.Chunks);
                    w.WriteNumber("n_ctx", result.ContextSize);
                    w.WriteEndObject();
                }
                stdout.WriteByte((byte)'\n');
            }
            else
            {
                Console.Error.WriteLine();
                Console.WriteLine($"Final estimate: PPL = {result.Perplexity:F4} over {result.ScoredTokens} tokens ({result.Chunks} chunks of {result.ContextSize})");
            }
            return 0;
        }));
        return cmd;
    }
}
