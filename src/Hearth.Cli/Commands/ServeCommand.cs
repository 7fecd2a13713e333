using System.CommandLine;
using System.Runtime.InteropServices;
using Hearth.Server;

namespace Hearth.Cli.Commands;

/// <summary>
/// <c>hearth serve [-m MODEL] [--host 127.0.0.1] [--port 8080] [--parallel N] [--ctx N] [--api-key KEY]</c>: the
/// OpenAI-compatible API until Ctrl+C or SIGTERM. Without -m the built-in model is served.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "GGUF model file or ORG/REPO[:QUANT] from Hugging Face (default: the built-in stories260K)" };
        var noPull = ModelSource.NoPullOption();
        var host = new Option<string>("--host") { Description = "Address to listen on (an IP address or localhost)", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "TCP port (0 = any free port)", DefaultValueFactory = _ => 8080 };
        var parallel = new Option<int>("--parallel", "-np") { Description = "Slots: requests decoded together, each with its own KV cache", DefaultValueFactory = _ => 4 };
        var ctx = new Option<int>("--ctx", "-c") { Description = "KV cache tokens per slot (default: the model's context, at most 4096)" };
        var queue = new Option<int>("--queue") { Description = "Requests that may wait for a slot before the server answers 503", DefaultValueFactory = _ => 64 };
        var apiKey = new Option<string?>("--api-key") { Description = "Require 'Authorization: Bearer KEY' (default: $HEARTH_API_KEY, else none)" };
        var alias = new Option<string?>("--alias") { Description = "Model id clients send (default: the file name without .gguf)" };
        var threads = new Option<int>("--threads", "-t") { Description = "Threads (default: all cores)" };
        var chatTemplateFile = new Option<string?>("--chat-template-file") { Description = "Jinja chat template file to use instead of the model's" };
        var cmd = new Command("serve", "OpenAI-compatible HTTP server (/v1/chat/completions, /v1/completions, /v1/embeddings, /v1/models, /health, /metrics).")
        {
            model, host, port, parallel, ctx, queue, apiKey, alias, threads, chatTemplateFile, noPull,
        };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            string? given = parse.GetValue(model);
            string path = ModelSource.Resolve(given, parse.GetValue(noPull)) ?? BuiltInModel.EnsureExtracted();
            // A Hub model is served under the name it was asked by (ORG/REPO:QUANT), not its snapshot file name.
            string? hubName = given != null && !File.Exists(given) && Hub.ModelReference.TryParse(given, out var hubRef) ? hubRef.Display : null;
            string? key = parse.GetValue(apiKey);
            if (string.IsNullOrEmpty(key)) key = Environment.GetEnvironmentVariable("HEARTH_API_KEY");
            var options = new HearthServerOptions
            {
                ModelPath = path,
                ModelId = parse.GetValue(alias) ?? (given is null ? "stories260K" : hubName),
                Host = parse.GetValue(host) ?? "127.0.0.1",
                Port = parse.GetValue(port),
                Parallel = parse.GetValue(parallel),
                ContextSize = parse.GetValue(ctx),
                MaxQueue = parse.GetValue(queue),
                ApiKey = string.IsNullOrEmpty(key) ? null : key,
                Threads = parse.GetValue(threads),
                ChatTemplateFile = parse.GetValue(chatTemplateFile),
            };
            return Serve(options);
        }));
        return cmd;
    }

    private static int Serve(HearthServerOptions options)
    {
        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        var server = HearthServer.StartAsync(options).GetAwaiter().GetResult();
        try
        {
            // Scripts wait for this line (and read the address from it when --port 0 was given).
            Console.WriteLine($"hearth: serving '{server.ModelId}' at {server.BaseAddress} " +
                $"({server.Parallel} slots of {server.ContextSize} tokens{(options.ApiKey != null ? ", API key required" : "")})");
            stop.Token.WaitHandle.WaitOne();
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return 0;
    }
}
