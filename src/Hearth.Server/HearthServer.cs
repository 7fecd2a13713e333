using System.Net;
using System.Text.Json;
using Hearth.Chat;
using Hearth.Inference;
using Hearth.Server.Endpoints;
using Hearth.Server.Endpoints.Responses;
using Hearth.Server.Metrics;
using Hearth.Server.Protocol;
using Hearth.Server.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Hearth.Server;

/// <summary>
/// The OpenAI-compatible HTTP server: serves one model or several (<see cref="HearthServerOptions.ExtraModels"/>),
/// each with a <see cref="SlotPool"/> on its engine, and answers <c>/v1/chat/completions</c>, <c>/v1/completions</c>,
/// <c>/v1/embeddings</c>, <c>/v1/responses</c>, Anthropic's <c>/v1/messages</c>, <c>/v1/models</c>, <c>/api/ps</c>, <c>/health</c> (liveness), <c>/ready</c> (readiness), <c>/metrics</c> and the web chat page at <c>/</c>. A request's
/// <c>model</c> picks one by name; nothing in a request names a file: only the models given at start are opened.
/// </summary>
public sealed class HearthServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ModelRegistry _registry;
    private readonly ServerLifecycle _lifecycle;

    private HearthServer(WebApplication app, ModelRegistry registry, ServerLifecycle lifecycle, Uri baseAddress, string modelId, int parallel, int contextSize)
    {
        _app = app;
        _registry = registry;
        _lifecycle = lifecycle;
        BaseAddress = baseAddress;
        ModelId = modelId;
        Parallel = parallel;
        ContextSize = contextSize;
    }

    /// <summary>Where the server listens, e.g. <c>http://127.0.0.1:8080/</c> (the real port when 0 was asked for).</summary>
    public Uri BaseAddress { get; }

    /// <summary>The id of the first served model (what clients send as <c>model</c>).</summary>
    public string ModelId { get; }

    /// <summary>Slots running in parallel (per model).</summary>
    public int Parallel { get; }

    /// <summary>Tokens of KV cache per slot (of the first model).</summary>
    public int ContextSize { get; }

    internal ModelRegistry Registry => _registry;

    /// <summary>API requests being answered now (probes and metrics not counted).</summary>
    public int RequestsInFlight => _lifecycle.InFlight;

    /// <summary>Whether <see cref="DrainAsync"/> has begun: new requests get 503 and <c>/ready</c> says draining.</summary>
    public bool IsDraining => _lifecycle.Draining;

    /// <summary>
    /// Graceful shutdown's first half (what SIGTERM does in <c>hearth serve</c>): from now on new requests are answered
    /// 503 with Retry-After and <c>/ready</c> answers 503, so a load balancer or inference gateway sends work elsewhere,
    /// while the requests in flight — streams included — run to their end. Completes when none is left (true) or when
    /// <paramref name="grace"/> has passed (false); then dispose the server, which ends whatever still runs.
    /// </summary>
    /// <param name="grace">The longest wait for the requests in flight.</param>
    public async Task<bool> DrainAsync(TimeSpan grace)
    {
        var idle = _lifecycle.BeginDrain();
        return await Task.WhenAny(idle, Task.Delay(grace)).ConfigureAwait(false) == idle;
    }

    /// <summary>
    /// Starts listening, then loads the first model (the others load on first use); returns once it is loaded. While it
    /// loads, <c>/health</c> (liveness) answers 200 and <c>/ready</c> 503, as Kubernetes probes expect.
    /// </summary>
    public static async Task<HearthServer> StartAsync(HearthServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var address = ParseHost(options.Host);
        if (options.Port is < 0 or > 65535) throw new ArgumentException($"Port {options.Port} is outside 0..65535.", nameof(options));
        if (options.Parallel < 1) throw new ArgumentException($"--parallel must be at least 1, got {options.Parallel}.", nameof(options));
        if (options.ContextSize < 0) throw new ArgumentException($"--ctx must be positive, got {options.ContextSize}.", nameof(options));
        if (options.MaxParallelToolCalls < 1) throw new ArgumentException($"--max-tool-calls must be at least 1, got {options.MaxParallelToolCalls}.", nameof(options));
        if (options.ApiKey is { Length: 0 }) throw new ArgumentException("The API key is empty.", nameof(options));
        if (options.MaxLoaded < 0) throw new ArgumentException($"--max-loaded must be 0 (no limit) or more, got {options.MaxLoaded}.", nameof(options));
        foreach (var extra in options.ExtraModels)
        {
            if (!File.Exists(extra.Path)) throw new FileNotFoundException($"GGUF file not found: {extra.Path}", extra.Path);
        }
        // A template file is read once, up front, so a bad one fails the start and not a request.
        var templateOverride = options.ChatTemplateFile is { } templateFile ? LoadTemplate(templateFile) : null;
        var registry = new ModelRegistry([new ServedModel(options.ModelPath, options.ModelId), .. options.ExtraModels],
            (served, id) => LoadState(served, id, options, templateOverride))
        {
            MaxLoaded = options.MaxLoaded,
            LoadWait = options.LoadWait,
        };
        WebApplication? app = null;
        var lifecycle = new ServerLifecycle();
        try
        {
            app = Build(options, address, registry, lifecycle);
            await app.StartAsync(cancellationToken);
            // Requests that arrive during the load wait for this same load (or get 503 after LoadWait).
            await registry.PreloadAsync(registry.FirstId).WaitAsync(cancellationToken);
            lifecycle.MarkReady();
            var first = registry.Loaded()[0];
            var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new HearthServer(app, registry, lifecycle, new Uri(bound.EndsWith('/') ? bound : bound + "/"), first.ModelId,
                first.Pool.SlotCount, first.Pool.ContextSize);
        }
        catch
        {
            if (app != null) await app.DisposeAsync();
            registry.Dispose();
            throw;
        }
    }

    /// <summary>Loads one model with its slot pool, chat template and metrics.</summary>
    private static ServerState LoadState(ServedModel served, string id, HearthServerOptions options, ChatTemplate? templateOverride)
    {
        if (options.LoadDelay > TimeSpan.Zero) Thread.Sleep(options.LoadDelay);
        var model = Model.Load(served.Path, new ModelOptions { Threads = options.Threads });
        SlotPool? pool = null;
        ServerMetrics? metrics = null;
        try
        {
            var tokenizer = model.Tokenizer;
            var engine = model.Engine;
            engine.StepDelay = options.StepDelay;
            var p = pool = engine.CreateSlotPool(options.Parallel, options.ContextSize, options.MaxQueue);
            metrics = new ServerMetrics(() => p.Running, () => p.Waiting, () => (double)p.CachedTokens / ((long)p.ContextSize * p.SlotCount));
            var template = templateOverride ?? ChatTemplate.FromGguf(model.File);
            return new ServerState
            {
                Model = model,
                Tokenizer = tokenizer,
                Pool = pool,
                Template = template,
                Metrics = metrics,
                TemplateReasons = ReasoningTags.TemplateReasons(template.Source),
                MaxParallelToolCalls = options.MaxParallelToolCalls,
                ModelId = id,
                Created = new DateTimeOffset(File.GetLastWriteTimeUtc(served.Path)).ToUnixTimeSeconds(),
            };
        }
        catch
        {
            pool?.Dispose();
            metrics?.Dispose();
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

    private static WebApplication Build(HearthServerOptions options, IPAddress address, ModelRegistry registry, ServerLifecycle lifecycle)
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
                var path = context.Request.Path;
                bool probe = path == "/health" || path == "/ready";
                // The chat page holds no secret: it loads without the key and asks for it when the API answers 401.
                bool page = options.WebUi && HttpMethods.IsGet(context.Request.Method) && WebUiPage.Serves(path);
                // Probes stay open so they need no secret; everything else (metrics included) needs the key.
                if (apiKey != null && !probe && !page && !apiKey.IsAuthorized(context.Request))
                {
                    throw new ApiError(401, "Invalid or missing API key. Send it as 'Authorization: Bearer KEY' (or 'x-api-key: KEY').", null, "invalid_api_key");
                }
                if (probe || page || path == "/metrics")
                {
                    await next(context);
                    return;
                }
                if (lifecycle.Draining)
                {
                    throw new ApiError(503, "The server is shutting down (draining); send the request to another replica or retry shortly.", null, "server_draining");
                }
                lifecycle.Enter();
                try
                {
                    await next(context);
                }
                finally
                {
                    lifecycle.Exit();
                }
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
        app.MapPost("/v1/chat/completions", context => ChatEndpoint.HandleAsync(context, registry));
        app.MapPost("/v1/completions", context => CompletionEndpoint.HandleAsync(context, registry));
        app.MapPost("/v1/embeddings", context => EmbeddingEndpoint.HandleAsync(context, registry));
        foreach (string path in (string[])["/v1/rerank", "/rerank", "/v1/reranking"]) app.MapPost(path, context => RerankEndpoint.HandleAsync(context, registry));
        app.MapPost("/tokenize", context => TokenizeEndpoint.TokenizeAsync(context, registry));
        app.MapPost("/detokenize", context => TokenizeEndpoint.DetokenizeAsync(context, registry));
        var responses = new ResponseStore();
        foreach (string prefix in (string[])["/v1/responses", "/responses"])
        {
            app.MapPost(prefix, context => ResponsesEndpoint.CreateAsync(context, registry, responses));
            app.MapGet(prefix + "/{id}", context => ResponsesEndpoint.GetAsync(context, responses));
            app.MapDelete(prefix + "/{id}", context => ResponsesEndpoint.DeleteAsync(context, responses));
        }
        app.MapPost("/v1/messages", context => Endpoints.Anthropic.MessagesEndpoint.HandleAsync(context, registry));
        app.MapPost("/v1/messages/count_tokens", context => Endpoints.Anthropic.MessagesEndpoint.CountTokensAsync(context, registry));
        app.MapGet("/v1/models", context => WriteJsonAsync(context, Models(registry), ServerJsonContext.Default.ModelList));
        app.MapGet("/v1/models/{id}", context =>
        {
            string? id = context.Request.RouteValues["id"] as string;
            var info = Models(registry).Data.FirstOrDefault(m => m.Id == id) ?? throw new ApiError(404,
                $"The model '{id}' does not exist. This server serves: {string.Join(", ", registry.Status().Select(m => $"'{m.Id}'"))}.", "model", "model_not_found");
            return WriteJsonAsync(context, info, ServerJsonContext.Default.ModelInfo);
        });
        app.MapGet("/api/ps", context => WriteJsonAsync(context, Processes(registry), ServerJsonContext.Default.ProcessList));
        app.MapGet("/health", context =>
        {
            int slots = 0, running = 0, waiting = 0;
            foreach (var state in registry.Loaded())
            {
                var s = state.Pool;
                slots += s.SlotCount;
                running += s.Running;
                waiting += s.Waiting;
            }
            return WriteJsonAsync(context, new HealthStatus
            {
                Status = "ok",
                SlotsIdle = slots - running,
                SlotsProcessing = running,
                RequestsWaiting = waiting,
            }, ServerJsonContext.Default.HealthStatus);
        });
        app.MapGet("/ready", context =>
        {
            // Readiness, apart from liveness (/health): 503 while the first model loads and while draining.
            context.Response.StatusCode = lifecycle.Ready ? 200 : 503;
            return WriteJsonAsync(context, new ReadyStatus { Status = lifecycle.Status }, ServerJsonContext.Default.ReadyStatus);
        });
        app.MapGet("/metrics", context =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            // The most recently used loaded model's counters (one set of metric names per scrape).
            var loaded = registry.Loaded();
            return context.Response.WriteAsync(loaded.Count > 0 ? loaded[0].Metrics.ToPrometheusText() : string.Empty, context.RequestAborted);
        });
        RequestDelegate unknown = context => throw new ApiError(404,
            $"Unknown endpoint: {context.Request.Method} {context.Request.Path}.", null, "unknown_url");
        if (options.WebUi)
        {
            app.MapGet("/", WebUiPage.WriteAsync);
            app.MapGet("/index.html", WebUiPage.WriteAsync);
        }
        // "{*path}" and not the default fallback pattern, which leaves out file-like paths (/index.html, /x.js).
        app.MapFallback("{*path}", unknown);
        return app;
    }

    private static ModelList Models(ModelRegistry registry) =>
        new() { Data = [.. registry.Status().Select(m => new ModelInfo { Id = m.Id, Created = m.Created })] };

    private static ProcessList Processes(ModelRegistry registry) => new()
    {
        Models =
        [
            .. registry.Status().Select(m => new ProcessInfo
            {
                Id = m.Id,
                State = m.Loaded ? "loaded" : m.Loading ? "loading" : "unloaded",
                MappedBytes = m.MappedBytes,
                RequestsInFlight = m.InFlight,
                LastUsed = m.LastUsedUtc is { } t ? new DateTimeOffset(t).ToUnixTimeSeconds() : null,
                LoadError = m.LoadError,
            }),
        ],
    };

    private static Task WriteJsonAsync<T>(HttpContext context, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, value, type, context.RequestAborted);
    }

    /// <summary>Stops accepting requests, ends the ones in flight and frees the models.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var state in _registry.Loaded()) state.Pool.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _registry.Dispose();
    }
}
