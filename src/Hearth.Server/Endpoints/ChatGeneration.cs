using System.Text.Json;
using Hearth.Chat;
using Hearth.Inference;

namespace Hearth.Server.Endpoints;

/// <summary>What every chat-shaped endpoint (chat completions, Responses) does alike: render and tokenize the prompt, pick the reasoning parser.</summary>
internal static class ChatGeneration
{
    /// <summary>
    /// Renders <paramref name="messages"/> (and <paramref name="tools"/>) with the model's template and tokenizes them;
    /// a template that rejects the conversation, or a prompt longer than a slot's context, is a 400 naming <paramref name="param"/>.
    /// </summary>
    public static (ChatPrompt Built, int[] Tokens) Prompt(ServerState state, IList<ChatTemplateMessage> messages, JsonElement? tools,
        string? reasoningEffort, string param)
    {
        ChatPrompt built;
        try
        {
            var variables = string.IsNullOrEmpty(reasoningEffort) ? null
                : new Dictionary<string, object?>(StringComparer.Ordinal) { ["reasoning_effort"] = reasoningEffort };
            built = ChatPrompt.Build(state.Model, state.Template, messages, tools, variables);
        }
        catch (JinjaException e)
        {
            // Templates reject some conversations on purpose (raise_exception), e.g. roles that do not alternate.
            throw ApiError.BadParam(param, "The model's chat template cannot render these messages: " + e.Message);
        }
        int[] prompt = built.Tokens.Length > 0 ? built.Tokens : state.Tokenize(built.Text, param);
        RequestValidation.CheckPromptFits(prompt.Length, state.Pool.ContextSize, param);
        return (built, prompt);
    }

    /// <summary>
    /// The parser that splits reasoning from the answer, or null. Reasoning is split off only for templates that know
    /// reasoning blocks, so other models never lose text; gpt-oss's Harmony replies are always split by channel.
    /// </summary>
    public static ReasoningParser? ReasoningParser(ServerState state, ChatPrompt built) =>
        built.IsHarmony || built.OpensReasoning || state.TemplateReasons ? built.NewReasoningParser() : null;
}
