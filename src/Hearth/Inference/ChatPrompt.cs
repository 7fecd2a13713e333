using System.Text.Json;
using Hearth.Chat;

namespace Hearth.Inference;

/// <summary>
/// A conversation rendered with a chat template and tokenized as llama.cpp's server does: its polyfills, the leading
/// BOS text stripped because tokenizing adds BOS, special-token text recognised.
/// </summary>
internal sealed class ChatPrompt
{
    private ChatPrompt(string text, int[] tokens, bool opensReasoning, ReasoningTags tags, bool harmony)
    {
        Text = text;
        Tokens = tokens;
        OpensReasoning = opensReasoning;
        ReasoningTags = tags;
        IsHarmony = harmony;
    }

    public string Text { get; }

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
    public ReasoningDelta Split(string reply)
    {
        var p = NewReasoningParser();
        var a = p.Push(reply);
        var b = p.Flush();
        return new ReasoningDelta(a.Reasoning + b.Reasoning, a.Content + b.Content);
    }

    /// <summary>Renders and tokenizes <paramref name="messages"/>; <paramref name="variables"/> are extra template variables (e.g. <c>reasoning_effort</c>).</summary>
    public static ChatPrompt Build(Model model, ChatTemplate template, IList<ChatTemplateMessage> messages, JsonElement? tools = null,
        IDictionary<string, object?>? variables = null)
    {
        var tokenizer = model.Tokenizer;
        var context = new ChatTemplateContext
        {
            Messages = messages,
            AddGenerationPrompt = true,
            BosToken = tokenizer.BosId >= 0 ? tokenizer.TokenPiece(tokenizer.BosId) : string.Empty,
            EosToken = tokenizer.EosId >= 0 ? tokenizer.TokenPiece(tokenizer.EosId) : string.Empty,
            Tools = tools,
            Variables = variables ?? new Dictionary<string, object?>(StringComparer.Ordinal),
        };
        string text = template.Render(context, ChatTemplateOptions.LlamaCpp);
        int[] tokens = tokenizer.Encode(text, addSpecial: true, parseSpecial: true);
        var tags = ReasoningTags.Detect(template.Source);
        return new ChatPrompt(text, tokens, ReasoningParser.PromptOpensReasoning(text, tags.Open, tags.Close), tags, ReasoningParser.IsHarmony(template.Source));
    }
}
