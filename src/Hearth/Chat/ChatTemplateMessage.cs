namespace Hearth.Chat;

/// <summary>One chat message as chat templates see it (<c>messages[i]</c>).</summary>
public sealed class ChatTemplateMessage
{
    /// <summary>A message with <paramref name="role"/> (system, user, assistant, tool, ...) and its text.</summary>
    public ChatTemplateMessage(string role, string? content)
    {
        Role = role;
        Content = content;
    }

    /// <summary><c>system</c>, <c>user</c>, <c>assistant</c> or <c>tool</c>.</summary>
    public string Role { get; }

    /// <summary>The text; null for an assistant message that only calls tools.</summary>
    public string? Content { get; }

    /// <summary>Calls an assistant message makes (<c>message.tool_calls</c>).</summary>
    public IReadOnlyList<ChatTemplateToolCall>? ToolCalls { get; init; }

    /// <summary>For a <c>tool</c> message: which call this is the result of.</summary>
    public string? ToolCallId { get; init; }

    /// <summary>For a <c>tool</c> message: the tool's name.</summary>
    public string? Name { get; init; }

    /// <summary>The assistant's reasoning (<c>&lt;think&gt;</c> text) kept apart from the answer; some templates render or drop it.</summary>
    public string? ReasoningContent { get; init; }

    /// <summary>A system message.</summary>
    public static ChatTemplateMessage System(string content) => new("system", content);

    /// <summary>A user message.</summary>
    public static ChatTemplateMessage User(string content) => new("user", content);

    /// <summary>An assistant message.</summary>
    public static ChatTemplateMessage Assistant(string? content) => new("assistant", content);
}
