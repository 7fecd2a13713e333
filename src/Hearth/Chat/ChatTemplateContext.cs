using System.Text.Json;

namespace Hearth.Chat;

/// <summary>The variables a chat template is rendered with.</summary>
public sealed class ChatTemplateContext
{
    /// <summary><c>messages</c>.</summary>
    public IList<ChatTemplateMessage> Messages { get; init; } = [];

    /// <summary><c>add_generation_prompt</c>: end with the header that starts the assistant's reply.</summary>
    public bool AddGenerationPrompt { get; init; } = true;

    /// <summary><c>bos_token</c> (text of the model's BOS token, e.g. <c>&lt;s&gt;</c>).</summary>
    public string BosToken { get; init; } = "";

    /// <summary><c>eos_token</c>.</summary>
    public string EosToken { get; init; } = "";

    /// <summary><c>tools</c>: a JSON array of OpenAI-style tool definitions, or null for none (then <c>tools</c> is undefined).</summary>
    public JsonElement? Tools { get; init; }

    /// <summary>
    /// Any other variables (<c>enable_thinking</c>, <c>builtin_tools</c>, ...). Values may be null, bool, integers,
    /// floating point, strings, <see cref="JsonElement"/>, <see cref="System.Text.Json.Nodes.JsonNode"/>, lists and
    /// string-keyed dictionaries of those.
    /// </summary>
    public IDictionary<string, object?> Variables { get; init; } = new Dictionary<string, object?>(StringComparer.Ordinal);
}
