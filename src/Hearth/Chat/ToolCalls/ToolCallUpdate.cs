namespace Hearth.Chat.ToolCalls;

/// <summary>What one <see cref="ToolCallParser.Push"/> (or <see cref="ToolCallParser.Finish"/>) decided: content text and tool-call deltas.</summary>
public readonly record struct ToolCallUpdate(string Content, IReadOnlyList<ToolCallDelta> ToolCalls)
{
    public static ToolCallUpdate Empty { get; } = new("", []);

    public bool IsEmpty => Content.Length == 0 && ToolCalls.Count == 0;
}
