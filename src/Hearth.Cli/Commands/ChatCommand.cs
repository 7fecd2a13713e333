using System.CommandLine;
using Hearth.Chat;
using Hearth.Sampling;

namespace Hearth.Cli.Commands;

/// <summary>
/// <c>hearth chat [-m MODEL] [--system TEXT]</c>: an interactive conversation. Each user line is added to the history,
/// the history is rendered with the model's chat template (ChatML when the model has none), and only the tokens past
/// the prefix already in the KV cache are evaluated. Lines "/reset" and "/exit" do what they say; end of input ends.
/// </summary>
internal static class ChatCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "GGUF model file or ORG/REPO[:QUANT] from Hugging Face (default: the built-in model)" };
        var noPull = ModelSource.NoPullOption();
        var system = new Option<string?>("--system") { Description = "System prompt" };
        var count = new Option<int>("--n-predict", "-n") { Description = "Maximum tokens per reply", DefaultValueFactory = _ => 256 };
        var temp = new Option<float>("--temp") { Description = "Temperature (0 = greedy)", DefaultValueFactory = _ => 0.8f };
        var seed = new Option<ulong?>("--seed", "-s") { Description = "Random seed" };
        var threads = new Option<int>("--threads", "-t") { Description = "Threads (default: all cores)" };
        var ctx = new Option<int>("--ctx-size", "-c") { Description = "Context size (default: the model's, at most 4096)" };
        var cmd = new Command("chat", "Interactive chat with a model, using its chat template.") { model, system, count, temp, seed, threads, ctx, noPull };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            string path = ModelSource.Resolve(parse.GetValue(model), parse.GetValue(noPull)) ?? BuiltInModel.EnsureExtracted();
            using var m = Model.Load(path, new ModelOptions { Threads = parse.GetValue(threads) });
            using var chat = new ChatSession(m, contextSize: parse.GetValue(ctx));
            string? sys = parse.GetValue(system);
            if (!string.IsNullOrEmpty(sys)) chat.AddMessage(ChatTemplateMessage.System(sys));
            var options = new GenerationOptions
            {
                MaxTokens = parse.GetValue(count),
                Sampling = new SamplerOptions { Temperature = parse.GetValue(temp), Seed = parse.GetValue(seed) },
            };
            bool interactive = !Console.IsInputRedirected;
            if (interactive) Console.Error.WriteLine($"hearth chat — {Path.GetFileName(path)}{(chat.Template.IsDefault ? " (no chat template in the model: using ChatML)" : "")}; /reset, /exit");
            while (true)
            {
                if (interactive) Console.Write("> ");
                string? line = Console.ReadLine();
                if (line is null || line.Trim() == "/exit") break;
                if (line.Trim() == "/reset")
                {
                    chat.Reset();
                    if (!string.IsNullOrEmpty(sys)) chat.AddMessage(ChatTemplateMessage.System(sys));
                    continue;
                }
                if (line.Length == 0) continue;
                foreach (var delta in chat.SendAsync(line, options).ToBlockingEnumerable())
                {
                    // Reasoning (a <think> block) goes to stderr, so stdout holds only the answers.
                    if (delta.Reasoning.Length > 0) Console.Error.Write(delta.Reasoning);
                    Console.Write(delta.Content);
                }
                Console.WriteLine();
            }
            return 0;
        }));
        return cmd;
    }
}
