using System.Text.Json;
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

    public string Format(IReadOnlyList<ChatTemplateMessage> messages, JsonElement? tools = null)
    {
        // A template that never mentions tools would drop them silently. As llama.cpp does for such templates, the tools
        // and the reply shape of the generic format (what ToolCallParser and ToolCallGrammar expect) go into the system
        // message instead, so the model can still call them.
        if (tools is { } t && !_template.Source.Contains("tools", StringComparison.Ordinal)) messages = WithToolInstructions(messages, t);
        var context = new ChatTemplateContext
        {
            Messages = [.. messages],
            AddGenerationPrompt = true,
            BosToken = _bos,
            EosToken = _eos,
            Tools = tools,
        };
        return _template.Render(context, ChatTemplateOptions.LlamaCpp);
    }

    private static List<ChatTemplateMessage> WithToolInstructions(IReadOnlyList<ChatTemplateMessage> messages, JsonElement tools)
    {
        string text = "You can call these tools (OpenAI function definitions):\n" + tools.GetRawText() + "\n\n" +
            "To call one or more of them, reply with only a JSON object of this shape: " +
            "{\"tool_calls\": [{\"name\": \"<function name>\", \"arguments\": {<arguments>}}]}. Otherwise answer normally.";
        var list = new List<ChatTemplateMessage>(messages.Count + 1);
        if (messages.Count > 0 && messages[0].Role is "system" or "developer")
        {
            list.Add(new ChatTemplateMessage(messages[0].Role, messages[0].Content + "\n\n" + text));
            for (int i = 1; i < messages.Count; i++) list.Add(messages[i]);
        }
        else
        {
            list.Add(ChatTemplateMessage.System(text));
            list.AddRange(messages);
        }
        return list;
    }
}
