namespace Hearth.Chat.ToolCalls;

/// <summary>
/// Where a tool-call section may begin in content: a full marker (<see cref="Length"/> characters, of kind
/// <see cref="Kind"/>, a syntax-specific number), or, when <see cref="Partial"/>, text from <see cref="Index"/> on that
/// might still become one and must be held back.
/// </summary>
internal readonly record struct StartMatch(int Index, int Length, int Kind, bool Partial)
{
    public static StartMatch None { get; } = new(-1, 0, -1, false);

    public bool Found => Index >= 0;
}
