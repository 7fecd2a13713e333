using System.Text.Json.Serialization;

namespace Hearth.Server.Protocol.Responses;

/// <summary>
/// One item of a response's <c>output</c>, by <c>type</c>: <c>reasoning</c> (<c>summary</c> and <c>content</c> with one
/// <c>reasoning_text</c> part, as llama.cpp's server and gpt-oss serve it), <c>message</c> (one <c>output_text</c> part)
/// or <c>function_call</c> (<c>call_id</c>, <c>name</c>, <c>arguments</c> as JSON text). Fields of other types stay null.
/// </summary>
internal sealed class ResponseOutputItem
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("type")]
    public required string Type { get; init; }

    /// <summary><c>in_progress</c>, <c>completed</c> or <c>incomplete</c>.</summary>
    [JsonPropertyName("status")]
    public required string Status { get; set; }

    /// <summary>Messages: <c>assistant</c>.</summary>
    [JsonPropertyName("role")]
    public string? Role { get; init; }

    /// <summary>Messages: output_text parts; reasoning: reasoning_text parts.</summary>
    [JsonPropertyName("content")]
    public List<ResponseContentPart>? Content { get; set; }

    /// <summary>Reasoning: always empty (the model's own reasoning is in <see cref="Content"/>, not summarised).</summary>
    [JsonPropertyName("summary")]
    public List<ResponseContentPart>? Summary { get; init; }

    [JsonPropertyName("call_id")]
    public string? CallId { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("arguments")]
    public string? Arguments { get; set; }
}

/// <summary>A content part: <c>output_text</c> (with its empty <c>annotations</c> and <c>logprobs</c>) or <c>reasoning_text</c>.</summary>
internal sealed class ResponseContentPart
{
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    [JsonPropertyName("text")]
    public required string Text { get; set; }

    [JsonPropertyName("annotations")]
    public List<string>? Annotations { get; init; }

    [JsonPropertyName("logprobs")]
    public List<string>? Logprobs { get; init; }
}
