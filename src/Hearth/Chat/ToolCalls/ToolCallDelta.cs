namespace Hearth.Chat.ToolCalls;

/// <summary>
/// One piece of a streamed tool call, shaped like OpenAI's <c>choices[0].delta.tool_calls[i]</c>: the first delta of a
/// call carries its <see cref="Index"/>, <see cref="Id"/> and <see cref="Name"/> (and usually empty arguments); later
/// ones carry the same index and the next fragment of the arguments JSON text.
/// </summary>
public readonly record struct ToolCallDelta(int Index, string? Id, string? Name, string Arguments);
