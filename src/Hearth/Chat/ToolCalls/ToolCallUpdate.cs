namespace Hearth.Chat.ToolCalls;

/// <summary>What one <see cref="ToolCallParser.Push"/> (or <see cref="ToolCallParser.Finish"/>) decided: content text and tool-call deltas.</summary>
public readonly record struct ToolCallUpdate(string Content, IReadOnlyList<ToolCallDelta> ToolCalls)
{
    /// <summary>An update with no content and no call deltas.</summary>
    public static ToolCallUpdate Empty { get; } = new("", []);

    /// <summary>No content and no call deltas.</summary>
    public bool IsEmpty => Content.Length == 0 && ToolCalls.Count == 0;
}
