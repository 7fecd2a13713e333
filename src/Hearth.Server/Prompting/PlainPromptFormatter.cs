using System.Text;

namespace Hearth.Server.Prompting;

/// <summary>
/// Stand-in until the engine's chat templates land: "role: content" lines, then "assistant:" for the model to continue.
/// </summary>
internal sealed class PlainPromptFormatter : IPromptFormatter
{
    public string Format(IReadOnlyList<PromptMessage> messages)
    {
        var sb = new StringBuilder();
        foreach (var m in messages) sb.Append(m.Role).Append(": ").Append(m.Content).Append('\n');
        sb.Append("assistant:");
        return sb.ToString();
    }
}
