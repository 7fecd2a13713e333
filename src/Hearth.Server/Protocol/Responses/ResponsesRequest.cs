using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hearth.Server.Protocol.Responses;

/// <summary>
/// Body of <c>POST /v1/responses</c> (the subset Hearth honours; unknown fields are ignored as OpenAI does). The
/// sampling fields come from <see cref="SamplingRequestFields"/>, so llama.cpp-style extras (<c>seed</c>, <c>stop</c>,
/// <c>logit_bias</c>) work here as in chat completions.
/// </summary>
internal sealed class ResponsesRequest : SamplingRequestFields
{
    /// <summary>A string (one user message) or an array of input items (messages, function calls and their outputs).</summary>
    [JsonPropertyName("input")]
    public JsonElement? Input { get; set; }

    /// <summary>A system message put before the conversation; not carried over by <c>previous_response_id</c>.</summary>
    [JsonPropertyName("instructions")]
    public string? Instructions { get; set; }

    [JsonPropertyName("max_output_tokens")]
    public int? MaxOutputTokens { get; set; }

    /// <summary>Function tools in the Responses shape: <c>[{"type":"function","name","description","parameters"}]</c>.</summary>
    [JsonPropertyName("tools")]
    public JsonElement? Tools { get; set; }

    /// <summary><c>"none"</c>, <c>"auto"</c>, <c>"required"</c> or <c>{"type":"function","name":...}</c>.</summary>
    [JsonPropertyName("tool_choice")]
    public JsonElement? ToolChoice { get; set; }

    [JsonPropertyName("parallel_tool_calls")]
    public bool? ParallelToolCalls { get; set; }

    /// <summary><c>{"format":{"type":"text"|"json_object"|"json_schema","schema":{...}}}</c>.</summary>
    [JsonPropertyName("text")]
    public JsonElement? Text { get; set; }

    /// <summary><c>{"effort":"low"|"medium"|"high"}</c>: the template's <c>reasoning_effort</c> (gpt-oss).</summary>
    [JsonPropertyName("reasoning")]
    public ReasoningConfig? Reasoning { get; set; }

    /// <summary>Whether the response is kept for <c>GET</c> and <c>previous_response_id</c>; true unless false.</summary>
    [JsonPropertyName("store")]
    public bool? Store { get; set; }

    [JsonPropertyName("previous_response_id")]
    public string? PreviousResponseId { get; set; }

    /// <summary>Echoed back on the response.</summary>
    [JsonPropertyName("metadata")]
    public Dictionary<string, string>? Metadata { get; set; }

    /// <summary>Background responses are not supported (a request asking for one is refused).</summary>
    [JsonPropertyName("background")]
    public bool? Background { get; set; }
}

/// <summary>The <c>reasoning</c> object of a request and of a response.</summary>
internal sealed class ReasoningConfig
{
    [JsonPropertyName("effort")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Effort { get; set; }

    [JsonPropertyName("summary")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Summary { get; set; }
}
