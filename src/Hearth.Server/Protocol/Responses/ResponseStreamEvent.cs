using System.Text.Json.Serialization;

namespace Hearth.Server.Protocol.Responses;

/// <summary>
/// One server-sent event of a streamed response (<c>event: TYPE</c>, <c>data: {...}</c>). Which fields are set depends
/// on <see cref="Type"/>: <c>response.*</c> lifecycle events carry <see cref="Response"/>; item events carry
/// <see cref="OutputIndex"/> and <see cref="Item"/> or <see cref="ItemId"/>; deltas carry <see cref="Delta"/>.
/// </summary>
internal sealed class ResponseStreamEvent
{
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    /// <summary>0, 1, 2, … over the events of one stream.</summary>
    [JsonPropertyName("sequence_number")]
    public required int SequenceNumber { get; init; }

    [JsonPropertyName("response")]
    public ResponseObject? Response { get; init; }

    [JsonPropertyName("output_index")]
    public int? OutputIndex { get; init; }

    [JsonPropertyName("item_id")]
    public string? ItemId { get; init; }

    [JsonPropertyName("content_index")]
    public int? ContentIndex { get; init; }

    [JsonPropertyName("item")]
    public ResponseOutputItem? Item { get; init; }

    [JsonPropertyName("part")]
    public ResponseContentPart? Part { get; init; }

    [JsonPropertyName("delta")]
    public string? Delta { get; init; }

    /// <summary><c>*.done</c> of text: the whole text.</summary>
    [JsonPropertyName("text")]
    public string? Text { get; init; }

    /// <summary><c>response.function_call_arguments.done</c>: the whole arguments.</summary>
    [JsonPropertyName("arguments")]
    public string? Arguments { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("logprobs")]
    public List<string>? Logprobs { get; init; }

    /// <summary><c>error</c> events: the error's code, message and param.</summary>
    [JsonPropertyName("code")]
    public string? Code { get; init; }

    [JsonPropertyName("message")]
    public string? Message { get; init; }

    [JsonPropertyName("param")]
    public string? Param { get; init; }
}
