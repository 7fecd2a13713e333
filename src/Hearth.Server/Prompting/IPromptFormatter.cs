using System.Text.Json;
using Hearth.Chat;

namespace Hearth.Server.Prompting;

/// <summary>Turns chat messages (and the tools offered) into the prompt text the model continues (a chat template).</summary>
internal interface IPromptFormatter
{
    /// <summary>The template: it also decides the tool-call format replies are parsed in.</summary>
    ChatTemplate Template { get; }

    /// <param name="tools">The request's OpenAI <c>tools</c> array, or null when the template should not mention tools.</param>
    /// <param name="variables">Extra template variables from the request (<c>reasoning_effort</c>), or null.</param>
    string Format(IReadOnlyList<ChatTemplateMessage> messages, JsonElement? tools = null, IDictionary<string, object?>? variables = null);
}
