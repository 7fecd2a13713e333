using System.CommandLine;
using System.Text;
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
        var bias = new Option<string[]>("--logit-bias", "-l") { Description = "Add a bias to a token's logit, as llama.cpp: TOKEN_ID(+/-)BIAS, e.g. 15043+1 (repeatable)" };
        var cmd = new Command("run", "Generate text from a prompt.") { model, prompt, count, temp, seed, topK, topP, minP, repeat, threads, ctx, json, grammar, schema, bias, noPull };
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
                LogitBias = SamplingFactory.ParseLogitBias(parse.GetValue(bias)),
            };
            bool asJson = parse.GetValue(json);
            if (!asJson) Console.Write(parse.GetValue(prompt));
            var generation = m.Engine.Submit(session, promptTokens, new GenerationOptions { MaxTokens = parse.GetValue(count), Sampling = options });
            var tokens = new List<int>();
            var text = new StringBuilder();
            GenerationStats stats = default;
            foreach (var update in generation.ReadAllAsync().ToBlockingEnumerable())
            {
                if (update.TokenId >= 0) tokens.Add(update.TokenId);
                if (update.Finished is { } f) stats = f;
                text.Append(update.Text);
                if (!asJson) Console.Write(update.Text);
            }
            if (asJson)
            {
                WriteJson(promptTokens, tokens, text.ToString(), stats.FinishReason, generation, m, session);
            }
            else
            {
                Console.WriteLine();
                Console.Error.WriteLine(
                    $"prompt: {promptTokens.Length} tokens in {generation.PromptTime.TotalMilliseconds:F1} ms " +
                    $"({PerSecond(promptTokens.Length, generation.PromptTime):F1} tokens/s); " +
                    $"generation: {tokens.Count} tokens in {generation.GenerationTime.TotalMilliseconds:F1} ms " +
                    $"({PerSecond(tokens.Count, generation.GenerationTime):F1} tokens/s)");
            }
            return 0;
        }));
        return cmd;
    }

    private static double PerSecond(int n, TimeSpan t) => t.TotalSeconds > 0 ? n / t.TotalSeconds : 0;

    /// <summary>The CLI's words for a finish reason (this edge's protocol: "eos", "length", "context", "stop", "grammar").</summary>
    private static string StopReason(FinishReason reason) => reason switch
    {
        FinishReason.EndOfGeneration => "eos",
        FinishReason.Length => "length",
        FinishReason.ContextFull => "context",
        FinishReason.StopString => "stop",
        FinishReason.GrammarComplete => "grammar",
        _ => reason.ToString(),
    };

    private static void WriteJson(int[] promptTokens, List<int> tokens, string text, FinishReason reason, Generation g, Model m, InferenceSession s)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout))
        {
            w.WriteStartObject();
            w.WriteStartArray("prompt_tokens");
            foreach (int t in promptTokens) w.WriteNumberValue(t);
            w.WriteEndArray();
            w.WriteStartArray("tokens");
            foreach (int t in tokens) w.WriteNumberValue(t);
            w.WriteEndArray();
            w.WriteString("text", text);
            w.WriteString("stop_reason", StopReason(reason));
            w.WriteStartObject("timings");
            w.WriteNumber("prompt_n", promptTokens.Length);
            w.WriteNumber("prompt_ms", g.PromptTime.TotalMilliseconds);
            w.WriteNumber("prompt_per_second", PerSecond(promptTokens.Length, g.PromptTime));
            w.WriteNumber("predicted_n", tokens.Count);
            w.WriteNumber("predicted_ms", g.GenerationTime.TotalMilliseconds);
            w.WriteNumber("predicted_per_second", PerSecond(tokens.Count, g.GenerationTime));
            w.WriteNumber("threads", m.ThreadCount);
            w.WriteNumber("n_ctx", s.ContextSize);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        stdout.WriteByte((byte)'\n');
    }
}
