using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hearth.Server.Protocol.Anthropic;

/// <summary>A <c>message</c> object: the whole reply, and the <c>message</c> of the <c>message_start</c> event.</summary>
internal sealed class MessageResponse
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("type")]
    public string Type { get; init; } = "message";

    [JsonPropertyName("role")]
    public string Role { get; init; } = "assistant";

    [JsonPropertyName("model")]
    public required string Model { get; init; }

    [JsonPropertyName("content")]
    public required List<ContentBlock> Content { get; init; }

    [JsonPropertyName("stop_reason")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? StopReason { get; init; }

    [JsonPropertyName("stop_sequence")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? StopSequence { get; init; }

    [JsonPropertyName("usage")]
    public required MessageUsage Usage { get; init; }
}

/// <summary>A content block of a reply: <c>text</c>, <c>thinking</c> or <c>tool_use</c> (only that type's fields are set).</summary>
internal sealed class ContentBlock
{
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    [JsonPropertyName("text")]
    public string? Text { get; init; }

    [JsonPropertyName("thinking")]
    public string? Thinking { get; init; }

    /// <summary>Anthropic signs its thinking so it can check it when sent back; Hearth's is empty and never checked.</summary>
    [JsonPropertyName("signature")]
    public string? Signature { get; init; }

    [JsonPropertyName("id")]
    public string? Id { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>A tool call's arguments, a JSON object (empty in <c>content_block_start</c>; the arguments stream as <c>input_json_delta</c>).</summary>
    [JsonPropertyName("input")]
    public JsonElement? Input { get; init; }

    /// <summary>Who made a tool call: always the model itself (<c>{"type":"direct"}</c>).</summary>
    [JsonPropertyName("caller")]
    public ToolCaller? Caller { get; init; }

    public static ContentBlock OfText(string text) => new() { Type = "text", Text = text };

    public static ContentBlock OfThinking(string thinking) => new() { Type = "thinking", Thinking = thinking, Signature = string.Empty };

    public static ContentBlock OfToolUse(string id, string name, JsonElement input) =>
        new() { Type = "tool_use", Id = id, Name = name, Input = input, Caller = ToolCaller.Direct };
}

/// <summary>A tool call's <c>caller</c>.</summary>
internal sealed class ToolCaller
{
    public static ToolCaller Direct { get; } = new();

    [JsonPropertyName("type")]
    public string Type { get; init; } = "direct";
}

/// <summary>
/// Token counts as Anthropic reports them: <c>input_tokens</c> are the prompt tokens evaluated for this request,
/// <c>cache_read_input_tokens</c> those reused from the slot's KV cache (their sum is the whole prompt).
/// </summary>
internal sealed class MessageUsage
{
    [JsonPropertyName("input_tokens")]
    public int? InputTokens { get; init; }

    [JsonPropertyName("output_tokens")]
    public int OutputTokens { get; init; }

    [JsonPropertyName("cache_creation_input_tokens")]
    public int? CacheCreationInputTokens { get; init; }

    [JsonPropertyName("cache_read_input_tokens")]
    public int? CacheReadInputTokens { get; init; }
}

/// <summary>The body of <c>/v1/messages/count_tokens</c>.</summary>
internal sealed class TokenCountResponse
{
    [JsonPropertyName("input_tokens")]
    public required int InputTokens { get; init; }
}

/// <summary>Anthropic's error body: <c>{"type":"error","error":{"type","message"}}</c>.</summary>
internal sealed class AnthropicErrorResponse
{
    [JsonPropertyName("type")]
    public string Type { get; init; } = "error";

    [JsonPropertyName("error")]
    public required AnthropicErrorBody Error { get; init; }
}

internal sealed class AnthropicErrorBody
{
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    [JsonPropertyName("message")]
    public required string Message { get; init; }
}
