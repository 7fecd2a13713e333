using System.CommandLine;
using Hearth.Chat;
using Hearth.Inference;
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
            using var session = m.CreateSession(parse.GetValue(ctx));
            var tokenizer = m.Tokenizer;
            var template = ChatTemplate.FromGguf(m.File);
            string bos = tokenizer.BosId >= 0 ? tokenizer.TokenPiece(tokenizer.BosId) : "";
            string eos = tokenizer.EosId >= 0 ? tokenizer.TokenPiece(tokenizer.EosId) : "";
            var messages = new List<ChatTemplateMessage>();
            string? sys = parse.GetValue(system);
            if (!string.IsNullOrEmpty(sys)) messages.Add(ChatTemplateMessage.System(sys));
            var cached = new List<int>(); // tokens whose keys/values are in the session
            var sampler = new Sampler(new SamplerOptions { Temperature = parse.GetValue(temp), Seed = parse.GetValue(seed) }, m.Config.VocabSize);
            bool interactive = !Console.IsInputRedirected;
            if (interactive) Console.Error.WriteLine($"hearth chat — {Path.GetFileName(path)}{(template.IsDefault ? " (no chat template in the model: using ChatML)" : "")}; /reset, /exit");
            while (true)
            {
                if (interactive) Console.Write("> ");
                string? line = Console.ReadLine();
                if (line is null || line.Trim() == "/exit") break;
                if (line.Trim() == "/reset")
                {
                    messages.RemoveAll(x => x.Role != "system");
                    continue;
                }
                if (line.Length == 0) continue;
                messages.Add(ChatTemplateMessage.User(line));
                string prompt = template.Render(new ChatTemplateContext { Messages = messages, AddGenerationPrompt = true, BosToken = bos, EosToken = eos });
                int[] tokens = tokenizer.Encode(prompt, addSpecial: !prompt.StartsWith(bos, StringComparison.Ordinal) || bos.Length == 0, parseSpecial: true);
                int common = 0;
                while (common < cached.Count && common < tokens.Length - 1 && cached[common] == tokens[common]) common++;
                session.Rewind(common);
                cached.RemoveRange(common, cached.Count - common);
                var fresh = tokens.AsSpan(common).ToArray();
                var result = TextGenerator.Generate(session, tokenizer, fresh, parse.GetValue(count), logits =>
                {
                    int t = sampler.Sample(logits);
                    sampler.Accept(t);
                    return t;
                }, text => Console.Write(text));
                Console.WriteLine();
                cached.AddRange(fresh);
                cached.AddRange(result.Tokens);
                // The last generated token was sampled but not evaluated: it is not in the cache.
                if (result.StopReason == "length" && result.Tokens.Count > 0) cached.RemoveAt(cached.Count - 1);
                if (cached.Count != session.Position) cached.RemoveRange(session.Position, cached.Count - session.Position);
                messages.Add(ChatTemplateMessage.Assistant(result.Text));
            }
            return 0;
        }));
        return cmd;
    }
}
