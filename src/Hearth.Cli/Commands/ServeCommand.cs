using System.CommandLine;
using System.Runtime.InteropServices;
using Hearth.Server;

namespace Hearth.Cli.Commands;

/// <summary>
/// <c>hearth serve [-m MODEL]... [--models-dir DIR] [--max-loaded N] [--host 127.0.0.1] [--port 8080] [--parallel N] [--ctx N] [--api-key KEY] [--no-webui]</c>: the
/// OpenAI-compatible API and the web chat page at <c>/</c> until Ctrl+C or SIGTERM. Without -m the built-in model is served.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var model = new Option<string[]>("--model", "-m")
        {
            Description = "GGUF model file or ORG/REPO[:QUANT] from Hugging Face; repeat to serve several (default: the built-in stories260K)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var modelsDir = new Option<string?>("--models-dir") { Description = "Also serve every GGUF model in this folder (or every model of a Hugging Face hub cache folder)" };
        var maxLoaded = new Option<int>("--max-loaded") { Description = "Most models loaded at once; the least recently used idle one is unloaded (0 = no limit)" };
        var noPull = ModelSource.NoPullOption();
        var host = new Option<string>("--host") { Description = "Address to listen on (an IP address or localhost)", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "TCP port (0 = any free port)", DefaultValueFactory = _ => 8080 };
        var parallel = new Option<int>("--parallel", "-np") { Description = "Slots: requests decoded together, each with its own KV cache", DefaultValueFactory = _ => 4 };
        var ctx = new Option<int>("--ctx", "-c") { Description = "KV cache tokens per slot (default: the model's context, at most 4096)" };
        var queue = new Option<int>("--queue") { Description = "Requests that may wait for a slot before the server answers 503", DefaultValueFactory = _ => 64 };
        var apiKey = new Option<string?>("--api-key") { Description = "Require 'Authorization: Bearer KEY' (default: $HEARTH_API_KEY, else none)" };
        var alias = new Option<string[]>("--alias")
        {
            Description = "Model id clients send, one per -m in order (default: the file name without .gguf, or ORG/REPO:QUANT)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var threads = new Option<int>("--threads", "-t") { Description = "Threads (default: all cores)" };
        var chatTemplateFile = new Option<string?>("--chat-template-file") { Description = "Jinja chat template file to use instead of the model's" };
        var drain = new Option<int>("--drain-timeout")
        {
            Description = "Seconds SIGTERM waits for requests in flight to finish (new ones get 503) before the server stops",
            DefaultValueFactory = _ => 30,
        };
        var noWebUi = new Option<bool>("--no-webui") { Description = "Do not serve the web chat page at / (it is then a 404)" };
        var maxToolCalls = new Option<int>("--max-tool-calls") { Description = "Most tool calls in one forced parallel reply", DefaultValueFactory = _ => Hearth.Chat.ToolCalls.ToolCallGrammar.DefaultMaxCalls };
        var cmd = new Command("serve", "OpenAI-compatible HTTP server (/v1/chat/completions, /v1/completions, /v1/embeddings, /v1/models, /health, /metrics).")
        {
            model, modelsDir, maxLoaded, host, port, parallel, ctx, queue, apiKey, alias, threads, chatTemplateFile, maxToolCalls, drain, noPull, noWebUi,
        };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            string[] given = parse.GetValue(model) ?? [];
            string[] aliases = parse.GetValue(alias) ?? [];
            if (aliases.Length > Math.Max(1, given.Length)) throw new ArgumentException($"{aliases.Length} --alias values for {given.Length} -m models: give one per -m, in order.");
            var served = new List<ServedModel>();
            for (int i = 0; i < given.Length; i++)
            {
                string path = ModelSource.Resolve(given[i], parse.GetValue(noPull))!;
                // A Hub model is served under the name it was asked by (ORG/REPO:QUANT), not its snapshot file name.
                string? hubName = !File.Exists(given[i]) && Hub.ModelReference.TryParse(given[i], out var hubRef) ? hubRef.Display : null;
                served.Add(new ServedModel(path, i < aliases.Length ? aliases[i] : hubName));
            }
            if (parse.GetValue(modelsDir) is { } dir) served.AddRange(ModelsIn(dir));
            if (served.Count == 0) served.Add(new ServedModel(BuiltInModel.EnsureExtracted(), aliases.Length > 0 ? aliases[0] : "stories260K"));
            string? key = parse.GetValue(apiKey);
            if (string.IsNullOrEmpty(key)) key = Environment.GetEnvironmentVariable("HEARTH_API_KEY");
            var options = new HearthServerOptions
            {
                ModelPath = served[0].Path,
                ModelId = served[0].Id,
                ExtraModels = served[1..],
                MaxLoaded = parse.GetValue(maxLoaded),
                Host = parse.GetValue(host) ?? "127.0.0.1",
                Port = parse.GetValue(port),
                Parallel = parse.GetValue(parallel),
                ContextSize = parse.GetValue(ctx),
                MaxQueue = parse.GetValue(queue),
                ApiKey = string.IsNullOrEmpty(key) ? null : key,
                Threads = parse.GetValue(threads),
                ChatTemplateFile = parse.GetValue(chatTemplateFile),
                MaxParallelToolCalls = parse.GetValue(maxToolCalls),
                WebUi = !parse.GetValue(noWebUi),
            };
            int grace = parse.GetValue(drain);
            if (grace < 0) throw new ArgumentException($"--drain-timeout must be 0 or more seconds, got {grace}.");
            return Serve(options, TimeSpan.FromSeconds(grace));
        }));
        return cmd;
    }

    /// <summary>
    /// The models of a folder: a Hugging Face hub cache (models--ORG--NAME folders) serves each cached model as
    /// ORG/REPO:QUANT; any other folder serves each GGUF file (a split model once) by its file name.
    /// </summary>
    private static IEnumerable<ServedModel> ModelsIn(string dir)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"--models-dir '{dir}' does not exist.");
        if (Directory.EnumerateDirectories(dir, "models--*").Any())
        {
            var settings = Hub.HubSettings.FromEnvironment() with { CacheDirectory = Path.GetFullPath(dir) };
            foreach (var e in ListCommand.Entries(settings)) yield return new ServedModel(e.Model.EntryPath, e.Model.Display);
            yield break;
        }
        var files = Directory.EnumerateFiles(dir, "*.gguf", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        foreach (var group in Hub.QuantSelector.Groups(files, f => f)) yield return new ServedModel(group[0]);
    }

    /// <summary>
    /// Runs until SIGINT (stops at once, ending replies in flight) or SIGTERM (drains: new requests get 503 and
    /// /ready says draining while the ones in flight finish, up to <paramref name="grace"/>; then stops).
    /// </summary>
    private static int Serve(HearthServerOptions options, TimeSpan grace)
    {
        using var stop = new CancellationTokenSource();
        bool drain = false;
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            drain = true;
            stop.Cancel();
        });
        var server = HearthServer.StartAsync(options).GetAwaiter().GetResult();
        try
        {
            // Scripts wait for this line (and read the address from it when --port 0 was given).
            string more = options.ExtraModels.Count > 0 ? $" and {options.ExtraModels.Count} more (see /v1/models)" : string.Empty;
            Console.WriteLine($"hearth: serving '{server.ModelId}'{more} at {server.BaseAddress} " +
                $"({server.Parallel} slots of {server.ContextSize} tokens{(options.ApiKey != null ? ", API key required" : "")})");
            stop.Token.WaitHandle.WaitOne();
            if (drain)
            {
                Console.WriteLine($"hearth: draining ({server.RequestsInFlight} requests in flight, up to {grace.TotalSeconds:0} s)");
                bool done = server.DrainAsync(grace).GetAwaiter().GetResult();
                Console.WriteLine(done ? "hearth: drained" : $"hearth: {server.RequestsInFlight} requests still running after {grace.TotalSeconds:0} s; stopping them");
            }
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return 0;
    }
}
