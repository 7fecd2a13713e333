using System.Text.Json.Serialization;

namespace Hearth.Server.Protocol;

/// <summary>
/// A tool call in a response: whole in <c>message.tool_calls</c> (id, type, name and arguments all set), or a piece
/// of one in <c>delta.tool_calls</c> (the first piece of a call has its id, type and name; later ones only the index
/// and the next fragment of the arguments), as OpenAI sends them.
/// </summary>
internal sealed class ToolCallOut
{
    /// <summary>Only in streamed deltas.</summary>
    [JsonPropertyName("index")]
    public int? Index { get; init; }

    [JsonPropertyName("id")]
    public string? Id { get; init; }

    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("function")]
    public required FunctionCallOut Function { get; init; }
}

internal sealed class FunctionCallOut
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>The arguments as JSON text (a string, not an object, as OpenAI sends them).</summary>
    [JsonPropertyName("arguments")]
    public string? Arguments { get; init; }
}
