namespace Hearth.Chat;

/// <summary>A function call the assistant made, as in the OpenAI chat format.</summary>
public sealed class ChatTemplateToolCall
{
    /// <summary>A call of function <paramref name="name"/> with its JSON <paramref name="arguments"/> and optional id.</summary>
    public ChatTemplateToolCall(string name, string arguments, string? id = null)
    {
        Name = name;
        Arguments = arguments;
        Id = id;
    }

    /// <summary>The call id (<c>call_...</c>), matched by the tool message's <c>tool_call_id</c>.</summary>
    public string? Id { get; }

    /// <summary>The function name.</summary>
    public string Name { get; }

    /// <summary>The arguments as a JSON object text, e.g. <c>{"city": "Paris"}</c>.</summary>
    public string Arguments { get; }
}
