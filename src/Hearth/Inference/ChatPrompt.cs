using System.Text.Json;
using Hearth.Chat;

namespace Hearth.Inference;

/// <summary>
/// The one prompt builder: a conversation rendered with a chat template and tokenized as llama.cpp's server does — its
/// polyfills, the leading BOS text stripped because tokenizing adds BOS, special-token text recognised. When tools are
/// offered to a template that never mentions tools, they go into the system message with the generic reply shape
/// (what <see cref="Chat.ToolCalls.ToolCallParser"/> expects for <see cref="Chat.ToolCalls.ToolCallFormat.Generic"/>),
/// as llama.cpp does. Used by <see cref="ChatSession"/>, <c>HearthChatClient</c>, the server and the CLI.
/// </summary>
public sealed class ChatPrompt
{
    private ChatPrompt(string text, int[] tokens, bool opensReasoning, ReasoningTags tags, bool harmony)
    {
        Text = text;
        Tokens = tokens;
        OpensReasoning = opensReasoning;
        ReasoningTags = tags;
        IsHarmony = harmony;
    }

    /// <summary>The rendered text.</summary>
    public string Text { get; }

    /// <summary>The text's tokens (BOS as the vocabulary asks).</summary>
    public int[] Tokens { get; }

    /// <summary>The generation prompt opened a <c>&lt;think&gt;</c> block, so the reply starts as reasoning.</summary>
    public bool OpensReasoning { get; }

    /// <summary>The template's reasoning tags (<see cref="Chat.ReasoningTags.Detect"/>).</summary>
    public ReasoningTags ReasoningTags { get; }

    /// <summary>The template writes gpt-oss's Harmony format: replies are split by channel.</summary>
    public bool IsHarmony { get; }

    /// <summary>The reasoning split for the reply to this prompt (Harmony channels or <c>&lt;think&gt;</c> blocks).</summary>
    public ReasoningParser NewReasoningParser() => IsHarmony ? ReasoningParser.Harmony() : new ReasoningParser(OpensReasoning, ReasoningTags);

    /// <summary>Splits a complete reply as <see cref="NewReasoningParser"/> would.</summary>
    /// <param name="reply">The whole reply text.</param>
    public ReasoningDelta Split(string reply)
    {
        var p = NewReasoningParser();
        var a = p.Push(reply);
        var b = p.Flush();
        return new ReasoningDelta(a.Reasoning + b.Reasoning, a.Content + b.Content);
    }

    /// <summary>Renders <paramref name="messages"/> (with the generation prompt) and tokenizes the text.</summary>
    /// <param name="model">The model whose tokenizer (and BOS/EOS text) is used.</param>
    /// <param name="template">The chat template.</param>
    /// <param name="messages">The conversation.</param>
    /// <param name="tools">The OpenAI <c>tools</c> array offered to the model, or null.</param>
    /// <param name="variables">Extra template variables (e.g. <c>reasoning_effort</c>), or null.</param>
    /// <exception cref="JinjaException">The template cannot render these messages (it may reject them on purpose).</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public static ChatPrompt Build(Model model, ChatTemplate template, IList<ChatTemplateMessage> messages, JsonElement? tools = null,
        IDictionary<string, object?>? variables = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(messages);
        var tokenizer = model.Tokenizer;
        var context = new ChatTemplateContext
        {
            Messages = WithToolInstructions(messages, template, tools),
            AddGenerationPrompt = true,
            BosToken = tokenizer.BosId >= 0 ? tokenizer.TokenPiece(tokenizer.BosId) : string.Empty,
            EosToken = tokenizer.EosId >= 0 ? tokenizer.TokenPiece(tokenizer.EosId) : string.Empty,
            Tools = tools,
            Variables = variables ?? new Dictionary<string, object?>(StringComparer.Ordinal),
        };
        string text = template.Render(context, ChatTemplateOptions.LlamaCpp);
        int[] tokens = tokenizer.Encode(text, addSpecial: true, parseSpecial: true);
        if (tokens.Length == 0 && tokenizer.BosId >= 0) tokens = [tokenizer.BosId];
        var tags = ReasoningTags.Detect(template.Source);
        return new ChatPrompt(text, tokens, ReasoningParser.PromptOpensReasoning(text, tags.Open, tags.Close), tags, ReasoningParser.IsHarmony(template.Source));
    }

    private static IList<ChatTemplateMessage> WithToolInstructions(IList<ChatTemplateMessage> messages, ChatTemplate template, JsonElement? tools)
    {
        if (tools is not { } t || template.Source.Contains("tools", StringComparison.Ordinal)) return messages;
        string text = "You can call these tools (OpenAI function definitions):\n" + t.GetRawText() + "\n\n" +
            "To call one or more of them, reply with only a JSON object of this shape: " +
            "{\"tool_calls\": [{\"name\": \"<function name>\", \"arguments\": {<arguments>}}]}. Otherwise answer normally.";
        var list = new List<ChatTemplateMessage>(messages.Count + 1);
        if (messages.Count > 0 && messages[0].Role is "system" or "developer")
        {
            list.Add(new ChatTemplateMessage(messages[0].Role, messages[0].Content + "\n\n" + text) { Name = messages[0].Name });
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
