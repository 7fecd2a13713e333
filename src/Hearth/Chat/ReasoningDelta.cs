namespace Hearth.Chat;

/// <summary>Text newly assigned to the reasoning and to the answer by one step of <see cref="ReasoningParser"/>.</summary>
public readonly record struct ReasoningDelta(string Reasoning, string Content)
{
    /// <summary>A delta with no text.</summary>
    public static ReasoningDelta Empty { get; } = new("", "");

    /// <summary>Neither reasoning nor content text.</summary>
    public bool IsEmpty => Reasoning.Length == 0 && Content.Length == 0;
}
