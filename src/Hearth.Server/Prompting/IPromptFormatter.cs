namespace Hearth.Server.Prompting;

/// <summary>Turns chat messages into the prompt text the model continues (a chat template).</summary>
internal interface IPromptFormatter
{
    string Format(IReadOnlyList<PromptMessage> messages);
}

/// <summary>A message reduced to what formatting needs.</summary>
internal readonly record struct PromptMessage(string Role, string Content);
