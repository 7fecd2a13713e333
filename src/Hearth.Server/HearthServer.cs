using System.Net;
using System.Text.Json;
using Hearth.Chat;
using Hearth.Server.Embeddings;
using Hearth.Server.Endpoints;
using Hearth.Server.Prompting;
using Hearth.Server.Protocol;
using Hearth.Server.Scheduling;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Hearth.Server;

/// <summary>
/// The OpenAI-compatible HTTP server: loads one model, runs the <see cref="Scheduler"/> over its slots and answers
/// <c>/v1/chat/completions</c>, <c>/v1/completions</c>, <c>/v1/embeddings</c>, <c>/v1/models</c>, <c>/health</c> and
/// <c>/metrics</c>. Nothing in a request names a file: the only file opened is the model given at start.
/// </summary>
public sealed class HearthServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Model _model;
    private readonly Scheduler _scheduler;

    private HearthServer(WebApplication app, Model model, Scheduler scheduler, Uri baseAddress, string modelId)
    {
        _app = app;
        _model = model;
        _scheduler = scheduler;
        BaseAddress = baseAddress;
        ModelId = modelId;
    }

    /// <summary>Where the server listens, e.g. <c>http://127.0.0.1:8080/</c> (the real port when 0 was asked for).</summary>
    public Uri BaseAddress { get; }

    /// <summary>The id of the served model (what clients send as <c>model</c>).</summary>
    public string ModelId { get; }

    /// <summary>Slots running in parallel.</summary>
    public int Parallel => _scheduler.SlotCount;

    /// <summary>Tokens of KV cache per slot.</summary>
    public int ContextSize => _scheduler.ContextSize;

    /// <summary>Loads the model and starts listening.</summary>
    public static async Task<HearthServer> StartAsync(HearthServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var address = ParseHost(options.Host);
        if (options.Port is < 0 or > 65535) throw new ArgumentException($"Port {options.Port} is outside 0..65535.", nameof(options));
        if (options.Parallel < 1) throw new ArgumentException($"--parallel must be at least 1, got {options.Parallel}.", nameof(options));
        if (options.ContextSize < 0) throw new ArgumentException($"--ctx must be positive, got {options.ContextSize}.", nameof(options));
        if (options.ApiKey is { Length: 0 }) throw new ArgumentException("The API key is empty.", nameof(options));

        var model = Model.Load(options.ModelPath, new ModelOptions { Threads = options.Threads });
        Scheduler? scheduler = null;
        WebApplication? app = null;
        try
        {
            var tokenizer = model.Tokenizer;
            scheduler = new Scheduler(model, options.Parallel, options.ContextSize, options.MaxQueue)
            {
                StepDelay = options.StepDelay,
            };
            var template = options.ChatTemplateFile is { } templateFile ? LoadTemplate(templateFile) : ChatTemplate.FromGguf(model.File);
            var reasoningTags = ReasoningParser.TagsOf(template.Source, out bool reasons);
            var state = new ServerState
            {
                Model = model,
                Tokenizer = tokenizer,
                Scheduler = scheduler,
                Formatter = new ChatTemplateFormatter(template, tokenizer),
                ReasoningTags = reasoningTags,
                TemplateReasons = reasons,
                Embedder = new MeanPoolEmbedder(model),
                ModelId = options.ModelId ?? Path.GetFileNameWithoutExtension(options.ModelPath),
                Created = new DateTimeOffset(File.GetLastWriteTimeUtc(options.ModelPath)).ToUnixTimeSeconds(),
            };
            app = Build(options, address, state);
            await app.StartAsync(cancellationToken);
            var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new HearthServer(app, model, scheduler, new Uri(bound.EndsWith('/') ? bound : bound + "/"), state.ModelId);
        }
        catch
        {
            if (app != null) await app.DisposeAsync();
            scheduler?.Dispose();
            model.Dispose();
            throw;
        }
    }

    private static ChatTemplate LoadTemplate(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"The chat template file '{path}' does not exist.", path);
        try
        {
            return ChatTemplate.Parse(File.ReadAllText(path));
        }
        catch (JinjaException e)
        {
            throw new ArgumentException($"The chat template file '{path}' is not a valid Jinja template: {e.Message}", e);
        }
    }

    private static IPAddress ParseHost(string host)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return IPAddress.Loopback;
        if (IPAddress.TryParse(host, out var ip)) return ip;
        throw new ArgumentException($"--host must be an IP address (e.g. 127.0.0.1, 0.0.0.0, ::1) or 'localhost', got '{host}'.");
    }

    private static WebApplication Build(HearthServerOptions options, IPAddress address, ServerState state)
    {
        // The empty builder reads no configuration files or environment variables: the server is configured only here.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            k.Listen(address, options.Port);
        });
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        var apiKey = options.ApiKey is { } key ? new ApiKeyCheck(key) : null;
        app.Use(async (context, next) =>
        {
            try
            {
                // Health stays open so probes need no secret; everything else (metrics included) needs the key.
                if (apiKey != null && context.Request.Path != "/health" && !apiKey.IsAuthorized(context.Request))
                {
                    throw new ApiError(401, "Invalid or missing API key. Send it as 'Authorization: Bearer KEY'.", null, "invalid_api_key");
                }
                await next(context);
            }
            catch (ApiError e) when (!context.Response.HasStarted)
            {
                await ErrorWriter.WriteAsync(context, e);
            }
            catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
            {
                await ErrorWriter.WriteAsync(context, new ApiError(500, "Internal server error: " + e.Message));
            }
        });
        app.UseRouting();
        app.MapPost("/v1/chat/completions", context => ChatEndpoint.HandleAsync(context, state));
        app.MapPost("/v1/completions", context => CompletionEndpoint.HandleAsync(context, state));
        app.MapPost("/v1/embeddings", context => EmbeddingEndpoint.HandleAsync(context, state));
        app.MapGet("/v1/models", context => WriteJsonAsync(context, Models(state), ServerJsonContext.Default.ModelList));
        app.MapGet("/v1/models/{id}", context =>
        {
            string? id = context.Request.RouteValues["id"] as string;
            RequestValidation.CheckModel(id, state.ModelId);
            return WriteJsonAsync(context, Models(state).Data[0], ServerJsonContext.Default.ModelInfo);
        });
        app.MapGet("/health", context =>
        {
            var s = state.Scheduler;
            int running = s.Running;
            return WriteJsonAsync(context, new HealthStatus
            {
                Status = "ok",
                SlotsIdle = s.SlotCount - running,
                SlotsProcessing = running,
                RequestsWaiting = s.Waiting,
            }, ServerJsonContext.Default.HealthStatus);
        });
        app.MapGet("/metrics", context =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            return context.Response.WriteAsync(state.Scheduler.Metrics.ToPrometheusText(), context.RequestAborted);
        });
        app.MapFallback(context => throw new ApiError(404,
            $"Unknown endpoint: {context.Request.Method} {context.Request.Path}.", null, "unknown_url"));
        return app;
    }

    private static ModelList Models(ServerState state) =>
        new() { Data = [new ModelInfo { Id = state.ModelId, Created = state.Created }] };

    private static Task WriteJsonAsync<T>(HttpContext context, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, value, type, context.RequestAborted);
    }

    /// <summary>Stops accepting requests, ends the ones in flight and frees the model.</summary>
    public async ValueTask DisposeAsync()
    {
        _scheduler.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _model.Dispose();
    }
}
