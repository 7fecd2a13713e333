using System.Text;
using System.Text.Json;
using Hearth.Chat;
using Hearth.Sampling;
using Microsoft.Extensions.AI;

namespace Hearth.AI;

/// <summary>Microsoft.Extensions.AI messages and options to the engine's chat messages and generation options.</summary>
internal static class ChatMessageMapping
{
    /// <summary>
    /// Template variables from the request: <c>reasoning_effort</c> from <see cref="ChatOptions.Reasoning"/> (low, medium,
    /// high; extra-high is high) or a string <c>reasoning_effort</c> in <see cref="ChatOptions.AdditionalProperties"/>.
    /// </summary>
    public static Dictionary<string, object?>? TemplateVariables(ChatOptions? options)
    {
        string? effort = options?.Reasoning?.Effort switch
        {
            ReasoningEffort.Low => "low",
            ReasoningEffort.Medium => "medium",
            ReasoningEffort.High or ReasoningEffort.ExtraHigh => "high",
            _ => null,
        };
        if (options?.AdditionalProperties?.TryGetValue("reasoning_effort", out object? v) == true && v is string s && s.Length > 0) effort = s;
        return effort is null ? null : new Dictionary<string, object?>(StringComparer.Ordinal) { ["reasoning_effort"] = effort };
    }

    public static List<ChatTemplateMessage> ToTemplateMessages(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var result = new List<ChatTemplateMessage>();
        if (!string.IsNullOrEmpty(options?.Instructions)) result.Add(ChatTemplateMessage.System(options.Instructions));
        foreach (var m in messages)
        {
            ArgumentNullException.ThrowIfNull(m);
            var text = new StringBuilder();
            var reasoning = new StringBuilder();
            List<ChatTemplateToolCall>? calls = null;
            foreach (var c in m.Contents)
            {
                switch (c)
                {
                    case TextContent t:
                        text.Append(t.Text);
                        break;
                    case TextReasoningContent r:
                        reasoning.Append(r.Text);
                        break;
                    case FunctionCallContent call:
                        (calls ??= []).Add(new ChatTemplateToolCall(call.Name, call.Arguments is null ? "{}" : JsonSerializer.Serialize(call.Arguments), call.CallId));
                        break;
                    case FunctionResultContent fr:
                        // A tool result is its own message in the OpenAI format the templates expect.
                        result.Add(new ChatTemplateMessage("tool", ResultText(fr.Result)) { ToolCallId = fr.CallId });
                        break;
                }
            }
            if (text.Length == 0 && calls == null && m.Contents.Count > 0 && m.Contents.All(c => c is FunctionResultContent)) continue;
            result.Add(new ChatTemplateMessage(m.Role.Value, text.ToString())
            {
                ToolCalls = calls,
                Name = m.AuthorName,
                ReasoningContent = reasoning.Length > 0 ? reasoning.ToString() : null,
            });
        }
        return result;
    }

    private static string ResultText(object? result) => result switch
    {
        null => string.Empty,
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString()!, // AIFunction results arrive as JSON; a string is shown as its text
        JsonElement e => e.GetRawText(),
        _ => JsonSerializer.Serialize(result),
    };

    public static GenerationOptions ToGenerationOptions(ChatOptions? options, int defaultMaxTokens)
    {
        var sampling = new SamplerOptions();
        if (options == null) return new GenerationOptions { MaxTokens = defaultMaxTokens, Sampling = sampling };
        if (options.Temperature is { } temperature) sampling = sampling with { Temperature = temperature };
        if (options.TopP is { } topP) sampling = sampling with { TopP = topP };
        if (options.TopK is { } topK) sampling = sampling with { TopK = topK };
        if (options.Seed is { } seed) sampling = sampling with { Seed = unchecked((ulong)seed) };
        if (options.FrequencyPenalty is { } frequency) sampling = sampling with { FrequencyPenalty = frequency };
        if (options.PresencePenalty is { } presence) sampling = sampling with { PresencePenalty = presence };
        if (options.AdditionalProperties?.TryGetValue("logit_bias", out var bias) == true)
        {
            sampling = sampling with
            {
                LogitBias = bias as IReadOnlyDictionary<int, float> ?? throw new ArgumentException(
                    "ChatOptions.AdditionalProperties[\"logit_bias\"] must be an IReadOnlyDictionary<int, float> (token id to bias).", nameof(options)),
            };
        }
        sampling = options.ResponseFormat switch
        {
            ChatResponseFormatJson { Schema: { } schema } => sampling with { Grammar = Grammar.FromJsonSchema(schema.GetRawText()) },
            ChatResponseFormatJson => sampling with { Grammar = Grammar.JsonObject }, // as OpenAI's json_object mode: an object, never a bare value
            _ => sampling,
        };
        int max = options.MaxOutputTokens ?? defaultMaxTokens;
        if (max < 0) throw new ArgumentOutOfRangeException(nameof(options), max, "ChatOptions.MaxOutputTokens must not be negative.");
        return new GenerationOptions
        {
            MaxTokens = max,
            Sampling = sampling,
            StopStrings = options.StopSequences is { Count: > 0 } stops ? [.. stops] : null,
        };
    }

    /// <summary>A parsed call as <see cref="FunctionCallContent"/>; arguments that are not a JSON object leave the content's <c>Exception</c> set.</summary>
    public static FunctionCallContent ToFunctionCall(ChatTemplateToolCall call) =>
        FunctionCallContent.CreateFromParsedArguments(call.Arguments, call.Id ?? string.Empty, call.Name, ParseArguments);

    private static Dictionary<string, object?> ParseArguments(string json)
    {
        using var doc = JsonDocument.Parse(json.Length == 0 ? "{}" : json);
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
            throw new JsonException($"Tool-call arguments must be a JSON object, got {doc.RootElement.ValueKind}: {json}");
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var p in doc.RootElement.EnumerateObject()) result[p.Name] = p.Value.Clone();
        return result;
    }

    public static ChatFinishReason ToFinishReason(FinishReason? reason) => reason switch
    {
        FinishReason.Length or FinishReason.ContextFull => ChatFinishReason.Length,
        _ => ChatFinishReason.Stop,
    };
}
