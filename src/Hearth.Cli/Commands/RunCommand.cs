using System.CommandLine;
using System.Text.Json;
using Hearth.Inference;

namespace Hearth.Cli.Commands;

/// <summary>
/// <c>hearth run [-m MODEL] -p PROMPT [-n N] [--temp T] [--json]</c>: tokenize the prompt (with BOS as the vocabulary asks,
/// special tokens parsed), process it, then generate up to N tokens. Without -m the built-in model runs.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "GGUF model file or ORG/REPO[:QUANT] from Hugging Face (default: the built-in stories260K)" };
        var noPull = ModelSource.NoPullOption();
        var prompt = new Option<string>("--prompt", "-p") { Description = "Prompt text", DefaultValueFactory = _ => string.Empty };
        var count = new Option<int>("--n-predict", "-n") { Description = "Tokens to generate", DefaultValueFactory = _ => 128 };
        var temp = new Option<float>("--temp") { Description = "Temperature (0 = greedy)", DefaultValueFactory = _ => 0.8f };
        var seed = new Option<ulong?>("--seed", "-s") { Description = "Random seed for sampling" };
        var topK = new Option<int>("--top-k") { Description = "Top-k sampling (0 = off)", DefaultValueFactory = _ => 40 };
        var topP = new Option<float>("--top-p") { Description = "Top-p sampling (1 = off)", DefaultValueFactory = _ => 0.95f };
        var minP = new Option<float>("--min-p") { Description = "Min-p sampling (0 = off)", DefaultValueFactory = _ => 0.05f };
        var repeat = new Option<float>("--repeat-penalty") { Description = "Repetition penalty (1 = off)", DefaultValueFactory = _ => 1.0f };
        var threads = new Option<int>("--threads", "-t") { Description = "Threads (default: all cores)" };
        var ctx = new Option<int>("--ctx-size", "-c") { Description = "Context size (default: the model's, at most 4096)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object with tokens, text and timings" };
        var grammar = new Option<string?>("--grammar") { Description = "GBNF grammar file constraining the output" };
        var schema = new Option<string?>("--json-schema") { Description = "JSON Schema file constraining the output" };
        var cmd = new Command("run", "Generate text from a prompt.") { model, prompt, count, temp, seed, topK, topP, minP, repeat, threads, ctx, json, grammar, schema, noPull };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            string path = ModelSource.Resolve(parse.GetValue(model), parse.GetValue(noPull)) ?? BuiltInModel.EnsureExtracted();
            using var m = Model.Load(path, new ModelOptions { Threads = parse.GetValue(threads) });
            using var session = m.CreateSession(parse.GetValue(ctx));
            var tokenizer = m.Tokenizer;
            int[] promptTokens = tokenizer.Encode(parse.GetValue(prompt) ?? string.Empty, addSpecial: true, parseSpecial: true);
            if (promptTokens.Length == 0)
            {
                if (tokenizer.BosId < 0) throw new ArgumentException("The prompt is empty and the model has no BOS token to start from.");
                promptTokens = [tokenizer.BosId];
            }
            var options = new Sampling.SamplerOptions
            {
                Temperature = parse.GetValue(temp),
                Seed = parse.GetValue(seed),
                TopK = parse.GetValue(topK),
                TopP = parse.GetValue(topP),
                MinP = parse.GetValue(minP),
                RepeatPenalty = parse.GetValue(repeat),
                Grammar = SamplingFactory.LoadGrammar(parse.GetValue(grammar), parse.GetValue(schema)),
            };
            var picker = SamplingFactory.Create(tokenizer, m.Config.VocabSize, options);
            bool asJson = parse.GetValue(json);
            if (!asJson) Console.Write(parse.GetValue(prompt));
            var result = TextGenerator.Generate(session, tokenizer, promptTokens, parse.GetValue(count), picker,
                asJson ? null : text => Console.Write(text));
            if (asJson)
            {
                WriteJson(result, m, session);
            }
            else
            {
                Console.WriteLine();
                Console.Error.WriteLine(
                    $"prompt: {result.PromptTokens.Count} tokens in {result.PromptTime.TotalMilliseconds:F1} ms " +
                    $"({PerSecond(result.PromptTokens.Count, result.PromptTime):F1} tokens/s); " +
                    $"generation: {result.Tokens.Count} tokens in {result.GenerationTime.TotalMilliseconds:F1} ms " +
                    $"({PerSecond(result.Tokens.Count, result.GenerationTime):F1} tokens/s)");
            }
            return 0;
        }));
        return cmd;
    }

    private static double PerSecond(int n, TimeSpan t) => t.TotalSeconds > 0 ? n / t.TotalSeconds : 0;

    private static void WriteJson(GenerationResult r, Model m, InferenceSession s)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout))
        {
            w.WriteStartObject();
            w.WriteStartArray("prompt_tokens");
            foreach (int t in r.PromptTokens) w.WriteNumberValue(t);
            w.WriteEndArray();
            w.WriteStartArray("tokens");
            foreach (int t in r.Tokens) w.WriteNumberValue(t);
            w.WriteEndArray();
            w.WriteString("text", r.Text);
            w.WriteString("stop_reason", r.StopReason);
            w.WriteStartObject("timings");
            w.WriteNumber("prompt_n", r.PromptTokens.Count);
            w.WriteNumber("prompt_ms", r.PromptTime.TotalMilliseconds);
            w.WriteNumber("prompt_per_second", PerSecond(r.PromptTokens.Count, r.PromptTime));
            w.WriteNumber("predicted_n", r.Tokens.Count);
            w.WriteNumber("predicted_ms", r.GenerationTime.TotalMilliseconds);
            w.WriteNumber("predicted_per_second", PerSecond(r.Tokens.Count, r.GenerationTime));
            w.WriteNumber("threads", m.Pool.ThreadCount);
            w.WriteNumber("n_ctx", s.ContextSize);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        stdout.WriteByte((byte)'\n');
    }
}
