using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hearth.Server.Protocol.Responses;

/// <summary>The <c>response</c> object: what <c>POST /v1/responses</c> answers, <c>GET</c> returns and stream events carry.</summary>
internal sealed class ResponseObject
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("object")]
    public string Object => "response";

    [JsonPropertyName("created_at")]
    public required long CreatedAt { get; init; }

    /// <summary><c>in_progress</c>, <c>completed</c>, <c>incomplete</c> (cut by <c>max_output_tokens</c>) or <c>failed</c>.</summary>
    [JsonPropertyName("status")]
    public required string Status { get; set; }

    [JsonPropertyName("error")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public ResponseErrorInfo? Error { get; set; }

    [JsonPropertyName("incomplete_details")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public IncompleteDetails? IncompleteDetails { get; set; }

    [JsonPropertyName("instructions")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Instructions { get; init; }

    [JsonPropertyName("max_output_tokens")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public int? MaxOutputTokens { get; init; }

    [JsonPropertyName("model")]
    public required string Model { get; init; }

    [JsonPropertyName("output")]
    public List<ResponseOutputItem> Output { get; set; } = [];

    [JsonPropertyName("parallel_tool_calls")]
    public bool ParallelToolCalls { get; init; } = true;

    [JsonPropertyName("previous_response_id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? PreviousResponseId { get; init; }

    [JsonPropertyName("reasoning")]
    public ReasoningConfig Reasoning { get; init; } = new();

    [JsonPropertyName("store")]
    public bool Store { get; init; } = true;

    [JsonPropertyName("temperature")]
    public float Temperature { get; init; } = 1;

    [JsonPropertyName("top_p")]
    public float TopP { get; init; } = 1;

    /// <summary>The request's <c>text</c> (its <c>format</c>), or <c>{"format":{"type":"text"}}</c>.</summary>
    [JsonPropertyName("text")]
    public required JsonElement Text { get; init; }

    [JsonPropertyName("tool_choice")]
    public required JsonElement ToolChoice { get; init; }

    [JsonPropertyName("tools")]
    public required JsonElement Tools { get; init; }

    [JsonPropertyName("truncation")]
    public string Truncation => "disabled";

    /// <summary>Null until the response is finished.</summary>
    [JsonPropertyName("usage")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public ResponseUsage? Usage { get; set; }

    [JsonPropertyName("metadata")]
    public Dictionary<string, string> Metadata { get; init; } = [];
}

/// <summary>Why a response stopped before it was complete.</summary>
internal sealed class IncompleteDetails
{
    /// <summary><c>max_output_tokens</c> (the limit or the context ran out).</summary>
    [JsonPropertyName("reason")]
    public required string Reason { get; init; }
}

/// <summary>The <c>error</c> of a failed response.</summary>
internal sealed class ResponseErrorInfo
{
    [JsonPropertyName("code")]
    public required string Code { get; init; }

    [JsonPropertyName("message")]
    public required string Message { get; init; }
}

/// <summary>Token counts of a finished response.</summary>
internal sealed class ResponseUsage
{
    [JsonPropertyName("input_tokens")]
    public required int InputTokens { get; init; }

    [JsonPropertyName("input_tokens_details")]
    public required InputTokensDetails InputTokensDetails { get; init; }

    [JsonPropertyName("output_tokens")]
    public required int OutputTokens { get; init; }

    [JsonPropertyName("output_tokens_details")]
    public required OutputTokensDetails OutputTokensDetails { get; init; }

    [JsonPropertyName("total_tokens")]
    public int TotalTokens => InputTokens + OutputTokens;
}

/// <summary>Prompt tokens served from the slot's KV cache.</summary>
internal sealed class InputTokensDetails
{
    [JsonPropertyName("cached_tokens")]
    public required int CachedTokens { get; init; }
}

/// <summary>Generated tokens that went to the reasoning item.</summary>
internal sealed class OutputTokensDetails
{
    [JsonPropertyName("reasoning_tokens")]
    public required int ReasoningTokens { get; init; }
}

/// <summary>The answer to <c>DELETE /v1/responses/{id}</c>.</summary>
internal sealed class ResponseDeleted
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("object")]
    public string Object => "response";

    [JsonPropertyName("deleted")]
    public bool Deleted => true;
}
