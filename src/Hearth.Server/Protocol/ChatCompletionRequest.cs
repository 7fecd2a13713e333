using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hearth.Server.Protocol;

/// <summary>Body of <c>POST /v1/chat/completions</c> (the subset Hearth honours; unknown fields are ignored as OpenAI does).</summary>
internal sealed class ChatCompletionRequest : SamplingRequestFields
{
    [JsonPropertyName("messages")]
    public List<ChatMessage>? Messages { get; set; }

    [JsonPropertyName("max_completion_tokens")]
    public int? MaxCompletionTokens { get; set; }

    /// <summary><c>{"type":"text"}</c>, <c>{"type":"json_object"}</c> or <c>{"type":"json_schema","json_schema":{"schema":{...}}}</c>.</summary>
    [JsonPropertyName("response_format")]
    public JsonElement? ResponseFormat { get; set; }

    /// <summary>OpenAI function definitions: <c>[{"type":"function","function":{"name","description","parameters"}}]</c>.</summary>
    [JsonPropertyName("tools")]
    public JsonElement? Tools { get; set; }

    /// <summary><c>"none"</c>, <c>"auto"</c>, <c>"required"</c> or <c>{"type":"function","function":{"name":...}}</c>.</summary>
    [JsonPropertyName("tool_choice")]
    public JsonElement? ToolChoice { get; set; }

    [JsonPropertyName("parallel_tool_calls")]
    public bool? ParallelToolCalls { get; set; }

    /// <summary>OpenAI's reasoning effort (<c>low</c>, <c>medium</c>, <c>high</c>): the template's <c>reasoning_effort</c> (gpt-oss).</summary>
    [JsonPropertyName("reasoning_effort")]
    public string? ReasoningEffort { get; set; }
}

/// <summary>One chat message; <c>content</c> is a string or an array of content parts (text parts are joined).</summary>
internal sealed class ChatMessage
{
    [JsonPropertyName("role")]
    public string? Role { get; set; }

    [JsonPropertyName("content")]
    public JsonElement? Content { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    /// <summary>An assistant turn's calls: <c>[{"id","type":"function","function":{"name","arguments"}}]</c>.</summary>
    [JsonPropertyName("tool_calls")]
    public JsonElement? ToolCalls { get; set; }

    /// <summary>For <c>role: "tool"</c>: the call this message answers.</summary>
    [JsonPropertyName("tool_call_id")]
    public string? ToolCallId { get; set; }
}

/// <summary>Fields shared by chat and text completions.</summary>
internal abstract class SamplingRequestFields
{
    [JsonPropertyName("model")]
    public string? Model { get; set; }

    [JsonPropertyName("stream")]
    public bool? Stream { get; set; }

    [JsonPropertyName("stream_options")]
    public StreamOptions? StreamOptions { get; set; }

    [JsonPropertyName("max_tokens")]
    public int? MaxTokens { get; set; }

    [JsonPropertyName("temperature")]
    public float? Temperature { get; set; }

    [JsonPropertyName("top_p")]
    public float? TopP { get; set; }

    [JsonPropertyName("n")]
    public int? N { get; set; }

    /// <summary>A string or an array of up to 4 strings.</summary>
    [JsonPropertyName("stop")]
    public JsonElement? Stop { get; set; }

    [JsonPropertyName("seed")]
    public long? Seed { get; set; }

    [JsonPropertyName("presence_penalty")]
    public float? PresencePenalty { get; set; }

    [JsonPropertyName("frequency_penalty")]
    public float? FrequencyPenalty { get; set; }

    /// <summary>Token id (as a string key) to a bias in [-100, 100].</summary>
    [JsonPropertyName("logit_bias")]
    public Dictionary<string, float>? LogitBias { get; set; }

    [JsonPropertyName("user")]
    public string? User { get; set; }
}

internal sealed class StreamOptions
{
    [JsonPropertyName("include_usage")]
    public bool? IncludeUsage { get; set; }
}
