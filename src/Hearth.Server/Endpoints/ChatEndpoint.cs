using System.Text;
using System.Text.Json;
using Hearth.Chat;
using Hearth.Chat.ToolCalls;
using Hearth.Inference;
using Hearth.Server.Protocol;
using Hearth.Server.Registry;
using Microsoft.AspNetCore.Http;

namespace Hearth.Server.Endpoints;

/// <summary><c>POST /v1/chat/completions</c>.</summary>
internal static class ChatEndpoint
{
    private static readonly HashSet<string> Roles = new(StringComparer.Ordinal) { "system", "developer", "user", "assistant", "tool" };

    public static async Task HandleAsync(HttpContext context, ModelRegistry registry)
    {
        var body = await JsonBody.ReadAsync(context, ServerJsonContext.Default.ChatCompletionRequest);
        using var lease = await registry.AcquireAsync(body.Model, context.RequestAborted);
        var state = lease.State;
        var messages = Messages(body.Messages);
        var template = state.Template;
        var tools = ToolRequest.Of(body, template, state.MaxParallelToolCalls);
        // A forced call's grammar wins over response_format: the reply must be the call.
        var sampling = RequestValidation.Sampling(body, state.Tokenizer.VocabSize) with { Grammar = tools.Grammar ?? ResponseFormat.GrammarOf(body.ResponseFormat) };
        var stops = RequestValidation.Stops(body.Stop);
        var (built, prompt) = ChatGeneration.Prompt(state, messages, tools.Tools, body.ReasoningEffort, "messages");
        int ctx = state.Pool.ContextSize;
        int maxTokens = body.MaxCompletionTokens is not null
            ? RequestValidation.MaxTokens(body.MaxCompletionTokens, "max_completion_tokens", prompt.Length, ctx)
            : RequestValidation.MaxTokens(body.MaxTokens, "max_tokens", prompt.Length, ctx);
        var options = new GenerationOptions { MaxTokens = maxTokens, Sampling = sampling, StopStrings = stops };
        var reasoning = ChatGeneration.ReasoningParser(state, built);
        var parser = tools.ParseCalls ? ToolCallParser.ForTemplate(template, tools.Tools) : null;
        var shape = new ChatShape(ServerState.NewId("chatcmpl-"), ServerState.Now(), state.ModelId, reasoning, parser);
        await GenerationResponder.RespondAsync(context, state, prompt, options, shape,
            body.Stream == true, body.StreamOptions?.IncludeUsage == true);
    }

    private static List<ChatTemplateMessage> Messages(List<ChatMessage>? messages)
    {
        if (messages is null) throw ApiError.Missing("messages");
        if (messages.Count == 0) throw ApiError.BadParam("messages", "'messages' must hold at least one message.");
        var list = new List<ChatTemplateMessage>(messages.Count);
        for (int i = 0; i < messages.Count; i++)
        {
            var m = messages[i] ?? throw ApiError.BadParam($"messages[{i}]", $"'messages[{i}]' must be an object.", "invalid_type");
            if (m.Role is null) throw ApiError.Missing($"messages[{i}].role");
            if (!Roles.Contains(m.Role))
            {
                throw ApiError.BadParam($"messages[{i}].role", $"'messages[{i}].role' is '{m.Role}'; expected one of system, developer, user, assistant, tool.");
            }
            list.Add(new ChatTemplateMessage(m.Role, Content(m.Content, i, m.Role))
            {
                ToolCalls = m.Role == "assistant" ? ToolCallsOf(m.ToolCalls, i) : null,
                ToolCallId = m.ToolCallId,
                Name = m.Name,
            });
        }
        return list;
    }

    /// <summary>An assistant turn's <c>tool_calls</c>: <c>[{"id","type":"function","function":{"name","arguments"}}]</c>.</summary>
    private static List<ChatTemplateToolCall>? ToolCallsOf(JsonElement? toolCalls, int index)
    {
        if (toolCalls is not { } tc || tc.ValueKind == JsonValueKind.Null) return null;
        string param = $"messages[{index}].tool_calls";
        if (tc.ValueKind != JsonValueKind.Array) throw ApiError.BadParam(param, $"'{param}' must be an array, not {JsonBody.Describe(tc.ValueKind)}.", "invalid_type");
        var calls = new List<ChatTemplateToolCall>();
        int j = 0;
        foreach (var call in tc.EnumerateArray())
        {
            string p = $"{param}[{j++}]";
            if (call.ValueKind != JsonValueKind.Object) throw ApiError.BadParam(p, $"'{p}' must be an object.", "invalid_type");
            if (call.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() != "function")
            {
                throw ApiError.BadParam(p + ".type", $"'{p}.type' is '{type.GetString()}'; only 'function' calls are supported.");
            }
            if (!call.TryGetProperty("function", out var fn) || fn.ValueKind != JsonValueKind.Object) throw ApiError.Missing(p + ".function");
            if (!fn.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || name.GetString()!.Length == 0)
            {
                throw ApiError.Missing(p + ".function.name");
            }
            string arguments = "{}";
            if (fn.TryGetProperty("arguments", out var args) && args.ValueKind != JsonValueKind.Null)
            {
                // OpenAI sends arguments as JSON text; some clients send the object itself.
                arguments = args.ValueKind == JsonValueKind.String ? args.GetString()! : args.GetRawText();
                if (!IsJsonObject(arguments)) throw ApiError.BadParam(p + ".function.arguments", $"'{p}.function.arguments' must be a JSON object (as text), got: {arguments}");
            }
            string? id = call.TryGetProperty("id", out var idEl) && idEl.ValueKind == JsonValueKind.String ? idEl.GetString() : null;
            calls.Add(new ChatTemplateToolCall(name.GetString()!, arguments, id));
        }
        return calls.Count > 0 ? calls : null;
    }

    private static bool IsJsonObject(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>A string, or an array of content parts whose text parts are joined.</summary>
    private static string Content(JsonElement? content, int index, string role)
    {
        string param = $"messages[{index}].content";
        if (content is not { } c || c.ValueKind == JsonValueKind.Null)
        {
            if (role == "assistant") return string.Empty; // an assistant turn may carry only tool calls
            throw ApiError.Missing(param);
        }
        if (c.ValueKind == JsonValueKind.String) return c.GetString()!;
        if (c.ValueKind != JsonValueKind.Array)
        {
            throw ApiError.BadParam(param, $"'{param}' must be a string or an array of content parts, not {JsonBody.Describe(c.ValueKind)}.", "invalid_type");
        }
        var sb = new StringBuilder();
        int p = 0;
        foreach (var part in c.EnumerateArray())
        {
            string partParam = $"{param}[{p++}]";
            if (part.ValueKind != JsonValueKind.Object) throw ApiError.BadParam(partParam, $"'{partParam}' must be an object.", "invalid_type");
            string? type = part.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (type != "text")
            {
                throw ApiError.BadParam(partParam + ".type", $"Content part type '{type ?? "(missing)"}' is not supported; only 'text' parts are.");
            }
            if (!part.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
            {
                throw ApiError.BadParam(partParam + ".text", $"'{partParam}.text' must be a string.", "invalid_type");
            }
            sb.Append(text.GetString());
        }
        return sb.ToString();
    }
}
