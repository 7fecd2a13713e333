namespace Hearth.Chat.ToolCalls;

/// <summary>A parsed reply.</summary>
/// <param name="Content">Text outside tool calls, including any text that looked like a call but was not a valid one for the given tools.</param>
/// <param name="ToolCalls">The calls in order, each with an id, a name and the arguments JSON text.</param>
/// <param name="Error">
/// Null when every call was complete. Otherwise what was wrong: a call cut off inside its arguments (its arguments
/// are then the truncated text, as OpenAI returns them when <c>max_tokens</c> stops a call), arguments that are not
/// a valid JSON object, or unexpected text right after a call's arguments.
/// </param>
public sealed record ToolCallParseResult(string Content, IReadOnlyList<ChatTemplateToolCall> ToolCalls, string? Error);
