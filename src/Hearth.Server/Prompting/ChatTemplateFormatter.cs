using System.Text.Json;
using Hearth.AI;
using Hearth.Chat;
using Hearth.Tokenization;

namespace Hearth.Server.Prompting;

/// <summary>
/// Renders messages with the model's chat template (ChatML when the file has none) the way llama.cpp's server does:
/// its polyfills for templates without a system role, and the leading BOS text stripped because tokenizing adds BOS.
/// </summary>
internal sealed class ChatTemplateFormatter : IPromptFormatter
{
    private readonly ChatTemplate _template;
    private readonly string _bos;
    private readonly string _eos;

    public ChatTemplateFormatter(ChatTemplate template, Tokenizer tokenizer)
    {
        _template = template;
        _bos = tokenizer.BosId >= 0 ? tokenizer.TokenPiece(tokenizer.BosId) : string.Empty;
        _eos = tokenizer.EosId >= 0 ? tokenizer.TokenPiece(tokenizer.EosId) : string.Empty;
    }

    public ChatTemplate Template => _template;

    public string Format(IReadOnlyList<ChatTemplateMessage> messages, JsonElement? tools = null, IDictionary<string, object?>? variables = null)
    {
        // A template that never mentions tools would drop them silently: the library's IChatClient and the server both
        // put them, with the generic reply shape, into the system message instead (see ChatToolSetup).
        messages = ChatToolSetup.WithToolInstructions([.. messages], _template, tools);
        var context = new ChatTemplateContext
        {
            Messages = [.. messages],
            AddGenerationPrompt = true,
            BosToken = _bos,
            EosToken = _eos,
            Tools = tools,
            Variables = variables ?? new Dictionary<string, object?>(StringComparer.Ordinal),
        };
        return _template.Render(context, ChatTemplateOptions.LlamaCpp);
    }
}
