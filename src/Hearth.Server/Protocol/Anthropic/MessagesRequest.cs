using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hearth.Server.Protocol.Anthropic;

/// <summary>
/// Body of <c>POST /v1/messages</c> and <c>/v1/messages/count_tokens</c> (the subset Hearth honours; unknown fields such as
/// <c>metadata</c> or <c>service_tier</c> are ignored as Anthropic ignores what it does not need).
/// </summary>
internal sealed class MessagesRequest
{
    [JsonPropertyName("model")]
    public string? Model { get; set; }

    /// <summary>Required by <c>/v1/messages</c> (as Anthropic requires it); not read by <c>count_tokens</c>.</summary>
    [JsonPropertyName("max_tokens")]
    public int? MaxTokens { get; set; }

    [JsonPropertyName("messages")]
    public List<AnthropicMessage>? Messages { get; set; }

    /// <summary>A string or an array of <c>{"type":"text","text":...}</c> blocks.</summary>
    [JsonPropertyName("system")]
    public JsonElement? System { get; set; }

    [JsonPropertyName("stop_sequences")]
    public JsonElement? StopSequences { get; set; }

    [JsonPropertyName("stream")]
    public bool? Stream { get; set; }

    [JsonPropertyName("temperature")]
    public float? Temperature { get; set; }

    [JsonPropertyName("top_p")]
    public float? TopP { get; set; }

    [JsonPropertyName("top_k")]
    public int? TopK { get; set; }

    /// <summary>Client tools: <c>[{"name","description","input_schema"}]</c>.</summary>
    [JsonPropertyName("tools")]
    public JsonElement? Tools { get; set; }

    /// <summary><c>{"type":"auto"|"any"|"none"}</c> or <c>{"type":"tool","name":...}</c>, with <c>disable_parallel_tool_use</c>.</summary>
    [JsonPropertyName("tool_choice")]
    public JsonElement? ToolChoice { get; set; }

    /// <summary><c>{"type":"enabled","budget_tokens":N}</c>, <c>{"type":"disabled"}</c> or <c>{"type":"adaptive"}</c>.</summary>
    [JsonPropertyName("thinking")]
    public JsonElement? Thinking { get; set; }
}

/// <summary>One turn: <c>role</c> user or assistant, <c>content</c> a string or an array of content blocks.</summary>
internal sealed class AnthropicMessage
{
    [JsonPropertyName("role")]
    public string? Role { get; set; }

    [JsonPropertyName("content")]
    public JsonElement? Content { get; set; }
}
