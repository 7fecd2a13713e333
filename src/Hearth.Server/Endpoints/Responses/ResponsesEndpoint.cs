using System.Text.Json;
using Hearth.Chat;
using Hearth.Chat.ToolCalls;
using Hearth.Inference;
using Hearth.Server.Protocol.Responses;
using Hearth.Server.Registry;
using Microsoft.AspNetCore.Http;

namespace Hearth.Server.Endpoints.Responses;

/// <summary>
/// OpenAI's Responses API: <c>POST /v1/responses</c> (whole or streamed as named events), <c>GET</c> and
/// <c>DELETE /v1/responses/{id}</c> over the <see cref="ResponseStore"/>. A request becomes chat messages
/// (<see cref="ResponseInput"/>) and runs through the same template, tool-call and constrained-decoding machinery as
/// chat completions; <see cref="ResponseBuilder"/> shapes the reply.
/// </summary>
internal static class ResponsesEndpoint
{
    public static async Task CreateAsync(HttpContext context, ModelRegistry registry, ResponseStore store)
    {
        var body = await JsonBody.ReadAsync(context, ResponsesJsonContext.Default.ResponsesRequest);
        if (body.Background == true) throw ApiError.BadParam("background", "Background responses are not supported; leave 'background' out or false.");
        var previous = body.PreviousResponseId is { } pid
            ? store.Get(pid) ?? throw new ApiError(404, $"Previous response with id '{pid}' not found (responses are kept in memory for a limited time, and never with store: false).",
                "previous_response_id", "previous_response_not_found")
            : null;
        var input = ResponseInput.Parse(body.Input);
        using var lease = await registry.AcquireAsync(body.Model, context.RequestAborted);
        var state = lease.State;

        // The conversation a later response continues: the previous one's, then this input (instructions are not carried over).
        var conversation = new List<ChatTemplateMessage>((previous?.Conversation.Count ?? 0) + input.Count + 1);
        if (previous != null) conversation.AddRange(previous.Conversation);
        conversation.AddRange(input);
        var messages = new List<ChatTemplateMessage>(conversation.Count + 1);
        if (!string.IsNullOrEmpty(body.Instructions)) messages.Add(ChatTemplateMessage.System(body.Instructions));
        messages.AddRange(conversation);

        var tools = ResponseOptions.Tools(body, state.Template, state.MaxParallelToolCalls);
        // A forced call's grammar wins over text.format: the reply must be the call.
        var sampling = RequestValidation.Sampling(body, state.Tokenizer.VocabSize) with { Grammar = tools.Grammar ?? ResponseOptions.TextGrammar(body.Text) };
        var stops = RequestValidation.Stops(body.Stop);
        var (built, prompt) = ChatGeneration.Prompt(state, messages, tools.Tools, body.Reasoning?.Effort, "input");
        int maxTokens = RequestValidation.MaxTokens(body.MaxOutputTokens, "max_output_tokens", prompt.Length, state.Pool.ContextSize);
        var options = new GenerationOptions { MaxTokens = maxTokens, Sampling = sampling, StopStrings = stops };

        var response = new ResponseObject
        {
            Id = ServerState.NewId("resp_"),
            CreatedAt = ServerState.Now(),
            Status = "in_progress",
            Instructions = body.Instructions,
            MaxOutputTokens = body.MaxOutputTokens,
            Model = state.ModelId,
            ParallelToolCalls = body.ParallelToolCalls != false,
            PreviousResponseId = body.PreviousResponseId,
            Reasoning = new ReasoningConfig { Effort = body.Reasoning?.Effort, Summary = body.Reasoning?.Summary },
            Store = body.Store != false,
            Temperature = body.Temperature ?? 1,
            TopP = body.TopP ?? 1,
            Text = body.Text is { ValueKind: JsonValueKind.Object } text ? text.Clone() : ResponseOptions.PlainText,
            ToolChoice = body.ToolChoice is { ValueKind: not JsonValueKind.Null } choice ? choice.Clone() : ResponseOptions.Auto,
            Tools = body.Tools is { ValueKind: JsonValueKind.Array } list ? list.Clone() : ResponseOptions.EmptyArray,
            Metadata = body.Metadata ?? [],
        };
        var parser = tools.ParseCalls ? ToolCallParser.ForTemplate(state.Template, tools.Tools) : null;
        bool stream = body.Stream == true;
        var builder = new ResponseBuilder(response, ChatGeneration.ReasoningParser(state, built), parser, stream);
        await GenerationResponder.RunAsync(context, state, prompt, options, async (reader, aborted) =>
        {
            bool finished = stream ? await StreamAsync(context, reader, builder, aborted) : await WholeAsync(context, reader, builder, aborted);
            if (finished && response.Store)
            {
                conversation.Add(builder.AssistantTurn());
                store.Add(response, conversation);
            }
        });
    }

    public static Task GetAsync(HttpContext context, ResponseStore store)
    {
        string id = (string)context.Request.RouteValues["id"]!;
        var stored = store.Get(id) ?? throw NotFound(id);
        if (context.Request.Query.TryGetValue("stream", out var s) && s == "true")
        {
            throw ApiError.BadParam("stream", "Replaying a stored response as a stream is not supported; GET it without 'stream'.");
        }
        return WriteJsonAsync(context, JsonSerializer.Serialize(stored.Response, ResponsesJsonContext.Default.ResponseObject));
    }

    public static Task DeleteAsync(HttpContext context, ResponseStore store)
    {
        string id = (string)context.Request.RouteValues["id"]!;
        if (!store.Remove(id)) throw NotFound(id);
        return WriteJsonAsync(context, JsonSerializer.Serialize(new ResponseDeleted { Id = id }, ResponsesJsonContext.Default.ResponseDeleted));
    }

    private static ApiError NotFound(string id) => new(404, $"Response with id '{id}' not found.", "id", "not_found");

    /// <summary>Reads to the end and answers the whole response; true when it finished.</summary>
    private static async Task<bool> WholeAsync(HttpContext context, GenerationResponder.Reader reader, ResponseBuilder builder, CancellationToken aborted)
    {
        while (await reader.NextAsync(aborted) is { } update)
        {
            if (update.Text.Length > 0) builder.Push(update.Text);
            if (update.Finished is { } stats)
            {
                builder.Finish(stats);
                await WriteJsonAsync(context, JsonSerializer.Serialize(builder.Response, ResponsesJsonContext.Default.ResponseObject), aborted);
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Streams the events. The status is chosen at the first update, so a request that fails before its first token
    /// still gets a proper error status; a failure after that ends the stream with <c>response.failed</c>.
    /// </summary>
    private static async Task<bool> StreamAsync(HttpContext context, GenerationResponder.Reader reader, ResponseBuilder builder, CancellationToken aborted)
    {
        bool started = false;
        while (true)
        {
            Hearth.Inference.GenerationUpdate? next;
            try
            {
                next = await reader.NextAsync(aborted);
            }
            catch (ApiError e) when (started)
            {
                builder.Fail(e);
                await SendAsync(context, builder, aborted);
                return false;
            }
            if (next is not { } update) return false;
            if (!started)
            {
                var r = context.Response;
                r.ContentType = "text/event-stream";
                r.Headers.CacheControl = "no-cache";
                r.Headers["X-Accel-Buffering"] = "no";
                started = true;
                builder.Start();
            }
            if (update.Text.Length > 0) builder.Push(update.Text);
            if (update.Finished is { } stats)
            {
                builder.Finish(stats);
                await SendAsync(context, builder, aborted);
                return true;
            }
            await SendAsync(context, builder, aborted);
        }
    }

    private static async Task SendAsync(HttpContext context, ResponseBuilder builder, CancellationToken aborted)
    {
        var frames = builder.TakeFrames();
        if (frames.Count == 0) return;
        foreach (string frame in frames) await context.Response.WriteAsync(frame, aborted);
        await context.Response.Body.FlushAsync(aborted);
    }

    private static Task WriteJsonAsync(HttpContext context, string json, CancellationToken ct = default)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json, ct);
    }
}
