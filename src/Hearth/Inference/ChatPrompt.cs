using System.Text.Json;
using Hearth.Chat;

namespace Hearth.Inference;

/// <summary>
/// A conversation rendered with a chat template and tokenized as llama.cpp's server does: its polyfills, the leading
/// BOS text stripped because tokenizing adds BOS, special-token text recognised.
/// </summary>
internal sealed class ChatPrompt
{
    private ChatPrompt(string text, int[] tokens, bool opensReasoning, ReasoningTags tags)
    {
        Text = text;
        Tokens = tokens;
        OpensReasoning = opensReasoning;
        ReasoningTags = tags;
    }

    public string Text { get; }

    public int[] Tokens { get; }

    /// <summary>The generation prompt opened a <c>&lt;think&gt;</c> block, so the reply starts as reasoning.</summary>
    public bool OpensReasoning { get; }

    /// <summary>The template's reasoning tags (<see cref="Chat.ReasoningTags.Detect"/>).</summary>
    public ReasoningTags ReasoningTags { get; }

    /// <summary>A reasoning parser for the reply to this prompt.</summary>
    public ReasoningParser NewReasoningParser() => new(OpensReasoning, ReasoningTags);

    public static ChatPrompt Build(Model model, ChatTemplate template, IList<ChatTemplateMessage> messages, JsonElement? tools = null)
    {
        var tokenizer = model.Tokenizer;
        var context = new ChatTemplateContext
        {
            Messages = messages,
            AddGenerationPrompt = true,
            BosToken = tokenizer.BosId >= 0 ? tokenizer.TokenPiece(tokenizer.BosId) : string.Empty,
            EosToken = tokenizer.EosId >= 0 ? tokenizer.TokenPiece(tokenizer.EosId) : string.Empty,
            Tools = tools,
        };
        string text = template.Render(context, ChatTemplateOptions.LlamaCpp);
        int[] tokens = tokenizer.Encode(text, addSpecial: true, parseSpecial: true);
        var tags = ReasoningTags.Detect(template.Source);
        return new ChatPrompt(text, tokens, ReasoningParser.PromptOpensReasoning(text, tags.Open, tags.Close), tags);
    }
}
