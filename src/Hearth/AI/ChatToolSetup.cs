using System.Text.Json;
using Hearth.Chat;
using Hearth.Chat.ToolCalls;
using Hearth.Sampling;
using Microsoft.Extensions.AI;

namespace Hearth.AI;

/// <summary>
/// What a request's <see cref="ChatOptions.Tools"/> and <see cref="ChatOptions.ToolMode"/> ask for, in the terms the
/// server's <c>tools</c> / <c>tool_choice</c> use: the OpenAI <c>tools</c> array rendered into the prompt, whether the
/// reply is parsed for calls, and for <see cref="ChatToolMode.RequireAny"/> or a required function the grammar that
/// makes the reply a valid call in the template's own format (<see cref="ToolCallGrammar"/>).
/// </summary>
internal sealed class ChatToolSetup
{
    public static ChatToolSetup None { get; } = new(null, null);

    private ChatToolSetup(JsonElement? tools, string? grammarGbnf)
    {
        Tools = tools;
        _gbnf = grammarGbnf;
    }

    private readonly string? _gbnf;

    /// <summary>The OpenAI <c>tools</c> array for the template, or null when the model is not told about tools.</summary>
    public JsonElement? Tools { get; }

    /// <summary>
    /// The grammar forcing a call, or null. When the prompt already opened a <c>&lt;think&gt;</c> block (DeepSeek R1)
    /// the block is closed first, empty, because the call grammar starts at the calls.
    /// </summary>
    public Grammar? ForcingGrammar(bool promptOpensReasoning) => _gbnf is null ? null
        : Grammar.Parse(promptOpensReasoning ? "root ::= \"</think>\\n\\n\" tool-calls\ntool-calls" + _gbnf["root".Length..] : _gbnf);

    public static ChatToolSetup Of(ChatOptions? options, ChatTemplate template, int maxCalls = ToolCallGrammar.DefaultMaxCalls)
    {
        if (options?.Tools is not { Count: > 0 } tools || options.ToolMode is NoneChatToolMode)
        {
            if (options?.ToolMode is RequiredChatToolMode)
                throw new ArgumentException("ChatOptions.ToolMode requires a tool call but ChatOptions.Tools has no functions.", nameof(options));
            return None;
        }
        var json = ToolsJson(tools);
        string? gbnf = null;
        if (options.ToolMode is RequiredChatToolMode required)
        {
            string? name = required.RequiredFunctionName;
            try
            {
                gbnf = ToolCallGrammar.BuildGbnf(ToolCallFormats.Detect(template), json, name, parallel: name is null && options.AllowMultipleToolCalls != false,
                    mistralArgs: template.Source.Contains("[ARGS]", StringComparison.Ordinal), maxCalls: maxCalls);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"ChatOptions.Tools cannot be forced with ToolMode {options.ToolMode}: {e.Message}", nameof(options), e);
            }
        }
        return new ChatToolSetup(json, gbnf);
    }

    /// <summary>A parser for one reply, or null when tools were not offered.</summary>
    public ToolCallParser? NewParser(ChatTemplate template) => Tools is { } t ? ToolCallParser.ForTemplate(template, t) : null;

    /// <summary><c>[{"type": "function", "function": {"name", "description", "parameters"}}, ...]</c>.</summary>
    private static JsonElement ToolsJson(IList<AITool> tools)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartArray();
            foreach (var tool in tools)
            {
                if (tool is not AIFunctionDeclaration f)
                {
                    throw new NotSupportedException(
                        $"ChatOptions.Tools holds a {tool?.GetType().Name ?? "null"}; a local model can only call functions (AIFunction / AIFunctionDeclaration).");
                }
                w.WriteStartObject();
                w.WriteString("type", "function");
                w.WriteStartObject("function");
                w.WriteString("name", f.Name);
                if (!string.IsNullOrEmpty(f.Description)) w.WriteString("description", f.Description);
                w.WritePropertyName("parameters");
                if (f.JsonSchema.ValueKind == JsonValueKind.Object) f.JsonSchema.WriteTo(w);
                else w.WriteRawValue("{\"type\":\"object\",\"properties\":{}}");
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        using var doc = JsonDocument.Parse(stream.ToArray());
        return doc.RootElement.Clone();
    }
}
