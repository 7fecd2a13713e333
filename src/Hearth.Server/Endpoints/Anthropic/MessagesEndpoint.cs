using System.Globalization;
using System.Text;
using System.Text.Json;
using Hearth.Chat;
using Hearth.Chat.ToolCalls;
using Hearth.Inference;
using Hearth.Sampling;
using Hearth.Server.Protocol;
using Hearth.Server.Protocol.Anthropic;
using Hearth.Server.Registry;
using Microsoft.AspNetCore.Http;

namespace Hearth.Server.Endpoints.Anthropic;

/// <summary>
/// Anthropic's Messages API: <c>POST /v1/messages</c> (whole or streamed) and <c>POST /v1/messages/count_tokens</c>.
/// The conversation goes through the same prompt builder, tool-call grammar and parser, reasoning split and slot pool
/// as <c>/v1/chat/completions</c>; only the request and reply shapes are Anthropic's. The <c>anthropic-version</c>
/// header is accepted (any version: the shapes are those of the current API).
/// </summary>
internal static class MessagesEndpoint
{
    public static async Task HandleAsync(HttpContext context, ModelRegistry registry)
    {
        var body = await JsonBody.ReadAsync(context, AnthropicJsonContext.Default.MessagesRequest);
        if (body.MaxTokens is null) throw ApiError.Missing("max_tokens");
        using var lease = await registry.AcquireAsync(body.Model, context.RequestAborted);
        var state = lease.State;
        var request = Prepare(body, state);
        int ctx = state.Pool.ContextSize;
        int[] prompt = request.Prompt;
        RequestValidation.CheckPromptFits(prompt.Length, ctx, "messages");
        int maxTokens = RequestValidation.MaxTokens(body.MaxTokens, "max_tokens", prompt.Length, ctx);
        var stops = StopSequences(body.StopSequences);
        var sampling = Sampling(body) with { Grammar = request.Tools.Grammar };
        var options = new GenerationOptions { MaxTokens = maxTokens, Sampling = sampling, StopStrings = stops };
        var built = request.Built;
        // As in chat completions: reasoning is split off only for templates that know reasoning blocks.
        var reasoning = built.IsHarmony || built.OpensReasoning || state.TemplateReasons ? built.NewReasoningParser() : null;
        var parser = request.Tools.ParseCalls ? ToolCallParser.ForTemplate(state.Template, request.Tools.Tools, () => ServerState.NewId("toolu_")) : null;
        bool stream = body.Stream == true;
        var shape = new MessageShape(ServerState.NewId("msg_"), state.ModelId, reasoning, parser, stops, stream);
        await GenerationResponder.RunAsync(context, state, prompt, options, (reader, aborted) =>
            stream ? StreamAsync(context, reader, shape, prompt.Length, aborted) : WholeAsync(context, reader, shape, aborted));
    }

    /// <summary><c>{"input_tokens": N}</c>: the tokens of the prompt the same request would give the model.</summary>
    public static async Task CountTokensAsync(HttpContext context, ModelRegistry registry)
    {
        var body = await JsonBody.ReadAsync(context, AnthropicJsonContext.Default.MessagesRequest);
        using var lease = await registry.AcquireAsync(body.Model, context.RequestAborted);
        var request = Prepare(body, lease.State);
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, new TokenCountResponse { InputTokens = request.Prompt.Length },
            AnthropicJsonContext.Default.TokenCountResponse, context.RequestAborted);
    }

    private sealed record Prepared(ChatPrompt Built, int[] Prompt, ToolRequest Tools);

    private static Prepared Prepare(MessagesRequest body, ServerState state)
    {
        var messages = AnthropicConversation.Messages(body.System, body.Messages);
        var tools = AnthropicConversation.Tools(body.Tools);
        var (choice, parallel) = AnthropicConversation.ToolChoice(body.ToolChoice, tools is not null);
        // The shared tool machinery reads OpenAI's fields; the tools and choice were translated above.
        var toolRequest = ToolRequest.Of(new ChatCompletionRequest { Tools = tools, ToolChoice = choice, ParallelToolCalls = parallel },
            state.Template, state.MaxParallelToolCalls);
        ChatPrompt built;
        try
        {
            built = ChatPrompt.Build(state.Model, state.Template, messages, toolRequest.Tools, Variables(body.Thinking));
        }
        catch (JinjaException e)
        {
            throw ApiError.BadParam("messages", "The model's chat template cannot render these messages: " + e.Message);
        }
        int[] prompt = built.Tokens.Length > 0 ? built.Tokens : state.Tokenize(built.Text, "messages");
        return new Prepared(built, prompt, toolRequest);
    }

    /// <summary><c>thinking</c> as the template variable reasoning templates read (<c>enable_thinking</c>, as Qwen 3's).</summary>
    private static Dictionary<string, object?>? Variables(JsonElement? thinking)
    {
        if (thinking is not { } t || t.ValueKind == JsonValueKind.Null) return null;
        if (t.ValueKind != JsonValueKind.Object) throw ApiError.BadParam("thinking", $"'thinking' must be an object, not {JsonBody.Describe(t.ValueKind)}.", "invalid_type");
        if (!t.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String) throw ApiError.Missing("thinking.type");
        if (t.TryGetProperty("budget_tokens", out var budget) && budget.ValueKind != JsonValueKind.Null
            && !(budget.ValueKind == JsonValueKind.Number && budget.TryGetInt32(out int b) && b > 0))
        {
            throw ApiError.BadParam("thinking.budget_tokens", "'thinking.budget_tokens' must be a positive integer.");
        }
        bool? enable = type.GetString() switch
        {
            "enabled" => true,
            "disabled" => false,
            "adaptive" => null, // the template's own default
            var other => throw ApiError.BadParam("thinking.type", $"'thinking.type' must be 'enabled', 'disabled' or 'adaptive', got '{other}'."),
        };
        return enable is { } e ? new Dictionary<string, object?>(StringComparer.Ordinal) { ["enable_thinking"] = e } : null;
    }

    /// <summary>Anthropic's sampling: temperature in [0, 1] (default 1), nucleus <c>top_p</c>, <c>top_k</c>; nothing else.</summary>
    private static SamplerOptions Sampling(MessagesRequest body)
    {
        RequestValidation.Range("temperature", body.Temperature, 0, 1);
        RequestValidation.Range("top_p", body.TopP, 0, 1);
        if (body.TopK is < 0) throw ApiError.BadParam("top_k", $"'top_k' must be 0 or more, got {body.TopK.Value.ToString(CultureInfo.InvariantCulture)}.");
        return new SamplerOptions
        {
            Temperature = body.Temperature ?? 1f,
            TopP = Math.Max(body.TopP ?? 1f, 1e-6f), // top_p 0 means "only the most likely token"; the chain needs P > 0
            TopK = body.TopK ?? 0,
            MinP = 0,
            PenaltyLastN = -1,
        };
    }

    private static List<string> StopSequences(JsonElement? stops)
    {
        if (stops is not { } e || e.ValueKind == JsonValueKind.Null) return [];
        if (e.ValueKind != JsonValueKind.Array) throw ApiError.BadParam("stop_sequences", $"'stop_sequences' must be an array of strings, not {JsonBody.Describe(e.ValueKind)}.", "invalid_type");
        var list = new List<string>();
        foreach (var item in e.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) throw ApiError.BadParam("stop_sequences", $"'stop_sequences' must be an array of strings; it holds {JsonBody.Describe(item.ValueKind)}.", "invalid_type");
            list.AddRange(RequestValidation.NonEmpty(item.GetString()!));
        }
        return list;
    }

    private static async Task WholeAsync(HttpContext context, GenerationResponder.Reader reader, MessageShape shape, CancellationToken aborted)
    {
        var text = new StringBuilder();
        while (await reader.NextAsync(aborted) is { } update)
        {
            text.Append(update.Text);
            if (update.Finished is { } stats)
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(shape.Whole(text.ToString(), stats), aborted);
                return;
            }
        }
    }

    private static async Task StreamAsync(HttpContext context, GenerationResponder.Reader reader, MessageShape shape, int promptTokens, CancellationToken aborted)
    {
        bool started = false;
        while (true)
        {
            GenerationUpdate? next;
            try
            {
                next = await reader.NextAsync(aborted);
            }
            catch (ApiError e) when (started)
            {
                // Headers are gone: Anthropic reports a failure mid-stream as an error event.
                await SendAsync(context, [new SseEvent("error", AnthropicErrors.Json(e))], aborted);
                return;
            }
            if (next is not { } update) return;
            if (!started)
            {
                var response = context.Response;
                response.ContentType = "text/event-stream";
                response.Headers.CacheControl = "no-cache";
                response.Headers["X-Accel-Buffering"] = "no";
                started = true;
                await SendAsync(context, shape.Start(promptTokens), aborted);
            }
            if (update.Text.Length > 0) await SendAsync(context, shape.Push(update.Text), aborted);
            if (update.Finished is { } stats)
            {
                await SendAsync(context, shape.Finish(stats), aborted);
                return;
            }
        }
    }

    private static async Task SendAsync(HttpContext context, List<SseEvent> events, CancellationToken aborted)
    {
        if (events.Count == 0) return;
        var sb = new StringBuilder();
        foreach (var e in events) sb.Append("event: ").Append(e.Name).Append("\ndata: ").Append(e.Data).Append("\n\n");
        await context.Response.WriteAsync(sb.ToString(), aborted);
        await context.Response.Body.FlushAsync(aborted);
    }
}
