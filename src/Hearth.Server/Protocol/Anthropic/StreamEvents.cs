using System.Text.Json.Serialization;

namespace Hearth.Server.Protocol.Anthropic;

/// <summary><c>message_start</c>: the message with empty content, before any block.</summary>
internal sealed class MessageStartEvent
{
    [JsonPropertyName("type")]
    public string Type { get; init; } = "message_start";

    [JsonPropertyName("message")]
    public required MessageResponse Message { get; init; }
}

/// <summary><c>content_block_start</c>: a block opens at <c>index</c> (its text, thinking or input empty).</summary>
internal sealed class ContentBlockStartEvent
{
    [JsonPropertyName("type")]
    public string Type { get; init; } = "content_block_start";

    [JsonPropertyName("index")]
    public required int Index { get; init; }

    [JsonPropertyName("content_block")]
    public required ContentBlock ContentBlock { get; init; }
}

/// <summary><c>content_block_delta</c>: more of the open block.</summary>
internal sealed class ContentBlockDeltaEvent
{
    [JsonPropertyName("type")]
    public string Type { get; init; } = "content_block_delta";

    [JsonPropertyName("index")]
    public required int Index { get; init; }

    [JsonPropertyName("delta")]
    public required BlockDelta Delta { get; init; }
}

/// <summary><c>text_delta</c> (<c>text</c>), <c>thinking_delta</c> (<c>thinking</c>) or <c>input_json_delta</c> (<c>partial_json</c>).</summary>
internal sealed class BlockDelta
{
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    [JsonPropertyName("text")]
    public string? Text { get; init; }

    [JsonPropertyName("thinking")]
    public string? Thinking { get; init; }

    [JsonPropertyName("partial_json")]
    public string? PartialJson { get; init; }
}

/// <summary><c>content_block_stop</c>: the block at <c>index</c> is complete.</summary>
internal sealed class ContentBlockStopEvent
{
    [JsonPropertyName("type")]
    public string Type { get; init; } = "content_block_stop";

    [JsonPropertyName("index")]
    public required int Index { get; init; }
}

/// <summary><c>message_delta</c>: the stop reason and the final usage.</summary>
internal sealed class MessageDeltaEvent
{
    [JsonPropertyName("type")]
    public string Type { get; init; } = "message_delta";

    [JsonPropertyName("delta")]
    public required MessageDelta Delta { get; init; }

    [JsonPropertyName("usage")]
    public required MessageUsage Usage { get; init; }
}

internal sealed class MessageDelta
{
    [JsonPropertyName("stop_reason")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? StopReason { get; init; }

    [JsonPropertyName("stop_sequence")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? StopSequence { get; init; }
}

/// <summary><c>message_stop</c> or <c>ping</c>: an event with nothing but its type.</summary>
internal sealed class TypeOnlyEvent
{
    [JsonPropertyName("type")]
    public required string Type { get; init; }
}
