using System.Text;
using System.Text.Json;
using Hearth.Chat;

namespace Hearth.Server.Endpoints.Anthropic;

/// <summary>
/// Turns an Anthropic request's <c>system</c>, <c>messages</c> and <c>tools</c> into what the shared prompt builder
/// takes: chat-template messages and OpenAI-shaped tools. A user turn's <c>tool_result</c> blocks become <c>tool</c>
/// messages (before the turn's text, as the results answer the previous turn's calls), an assistant turn's
/// <c>tool_use</c> blocks its tool calls and its <c>thinking</c> blocks its reasoning.
/// </summary>
internal static class AnthropicConversation
{
    public static List<ChatTemplateMessage> Messages(JsonElement? system, List<Protocol.Anthropic.AnthropicMessage>? messages)
    {
        if (messages is null) throw ApiError.Missing("messages");
        if (messages.Count == 0) throw ApiError.BadParam("messages", "'messages' must hold at least one message.");
        var list = new List<ChatTemplateMessage>(messages.Count + 1);
        if (SystemText(system) is { Length: > 0 } s) list.Add(ChatTemplateMessage.System(s));
        var toolNames = new Dictionary<string, string>(StringComparer.Ordinal); // tool_use id → name, for the results
        for (int i = 0; i < messages.Count; i++)
        {
            var m = messages[i] ?? throw ApiError.BadParam($"messages[{i}]", $"'messages[{i}]' must be an object.", "invalid_type");
            if (m.Role is null) throw ApiError.Missing($"messages[{i}].role");
            if (m.Role is not ("user" or "assistant" or "system"))
            {
                throw ApiError.BadParam($"messages[{i}].role", $"'messages[{i}].role' is '{m.Role}'; expected 'user', 'assistant' or 'system'.");
            }
            string param = $"messages[{i}].content";
            if (m.Content is not { } content || content.ValueKind == JsonValueKind.Null) throw ApiError.Missing(param);
            if (m.Role == "system")
            {
                // The newer API's system turns inside the conversation: text only, like the top-level 'system'.
                list.Add(ChatTemplateMessage.System(TextBlocks(content, param, "\n\n") ?? string.Empty));
                continue;
            }
            if (content.ValueKind == JsonValueKind.String)
            {
                list.Add(new ChatTemplateMessage(m.Role, content.GetString()));
                continue;
            }
            if (content.ValueKind != JsonValueKind.Array)
            {
                throw ApiError.BadParam(param, $"'{param}' must be a string or an array of content blocks, not {JsonBody.Describe(content.ValueKind)}.", "invalid_type");
            }
            if (m.Role == "user") User(content, param, list, toolNames);
            else list.Add(Assistant(content, param, toolNames));
        }
        return list;
    }

    private static void User(JsonElement blocks, string param, List<ChatTemplateMessage> list, Dictionary<string, string> toolNames)
    {
        var text = new StringBuilder();
        int j = 0;
        foreach (var block in blocks.EnumerateArray())
        {
            string p = $"{param}[{j++}]";
            switch (TypeOf(block, p))
            {
                case "text":
                    AppendText(text, block, p);
                    break;
                case "tool_result":
                    string id = RequiredString(block, "tool_use_id", p);
                    string result = ToolResultText(block, p);
                    if (block.TryGetProperty("is_error", out var isError) && isError.ValueKind == JsonValueKind.True) result = "Error: " + result;
                    list.Add(new ChatTemplateMessage("tool", result) { ToolCallId = id, Name = toolNames.GetValueOrDefault(id) });
                    break;
                case var other:
                    throw Unsupported(p, other, "'text' and 'tool_result'");
            }
        }
        if (text.Length > 0 || j == 0) list.Add(ChatTemplateMessage.User(text.ToString()));
    }

    private static ChatTemplateMessage Assistant(JsonElement blocks, string param, Dictionary<string, string> toolNames)
    {
        var text = new StringBuilder();
        var thinking = new StringBuilder();
        List<ChatTemplateToolCall>? calls = null;
        int j = 0;
        foreach (var block in blocks.EnumerateArray())
        {
            string p = $"{param}[{j++}]";
            switch (TypeOf(block, p))
            {
                case "text":
                    AppendText(text, block, p);
                    break;
                case "thinking":
                    thinking.Append(RequiredString(block, "thinking", p));
                    break;
                case "redacted_thinking":
                    break; // encrypted reasoning from Anthropic's models: nothing a local template can show
                case "tool_use":
                    string id = RequiredString(block, "id", p);
                    string name = RequiredString(block, "name", p);
                    if (!block.TryGetProperty("input", out var input) || input.ValueKind != JsonValueKind.Object)
                    {
                        throw ApiError.BadParam(p + ".input", $"'{p}.input' must be an object (the tool's arguments).", "invalid_type");
                    }
                    toolNames[id] = name;
                    (calls ??= []).Add(new ChatTemplateToolCall(name, input.GetRawText(), id));
                    break;
                case var other:
                    throw Unsupported(p, other, "'text', 'thinking', 'redacted_thinking' and 'tool_use'");
            }
        }
        return new ChatTemplateMessage("assistant", text.ToString())
        {
            ToolCalls = calls,
            ReasoningContent = thinking.Length > 0 ? thinking.ToString() : null,
        };
    }

    /// <summary><c>system</c>: a string or text blocks (joined by blank lines), or null.</summary>
    private static string? SystemText(JsonElement? system) => system is { } s ? TextBlocks(s, "system", "\n\n") : null;

    /// <summary>A string or an array of text blocks joined by <paramref name="separator"/>; null for JSON null.</summary>
    private static string? TextBlocks(JsonElement value, string param, string separator)
    {
        if (value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.String) return value.GetString();
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw ApiError.BadParam(param, $"'{param}' must be a string or an array of text blocks, not {JsonBody.Describe(value.ValueKind)}.", "invalid_type");
        }
        var text = new StringBuilder();
        int j = 0;
        foreach (var block in value.EnumerateArray())
        {
            string p = $"{param}[{j++}]";
            string type = TypeOf(block, p);
            if (type != "text") throw Unsupported(p, type, "'text'");
            if (j > 1) text.Append(separator);
            AppendText(text, block, p);
        }
        return text.ToString();
    }

    /// <summary>A <c>tool_result</c>'s <c>content</c>: a string, text blocks (one per line), or absent (an empty result).</summary>
    private static string ToolResultText(JsonElement block, string p) =>
        block.TryGetProperty("content", out var content) ? TextBlocks(content, p + ".content", "\n") ?? string.Empty : string.Empty;

    /// <summary>
    /// Anthropic's client tools (<c>{"name","description","input_schema"}</c>) as OpenAI function definitions, the
    /// shape chat templates and the tool-call machinery take; null when the request has none.
    /// </summary>
    public static JsonElement? Tools(JsonElement? tools)
    {
        if (tools is not { } t || t.ValueKind == JsonValueKind.Null) return null;
        if (t.ValueKind != JsonValueKind.Array)
        {
            throw ApiError.BadParam("tools", $"'tools' must be an array of tool definitions, not {JsonBody.Describe(t.ValueKind)}.", "invalid_type");
        }
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            int i = 0;
            foreach (var tool in t.EnumerateArray())
            {
                string p = $"tools[{i++}]";
                if (tool.ValueKind != JsonValueKind.Object) throw ApiError.BadParam(p, $"'{p}' must be an object.", "invalid_type");
                if (tool.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() is not ("custom" or null))
                {
                    throw ApiError.BadParam(p + ".type", $"'{p}.type' is '{type.GetString()}': Anthropic's server tools are not available here; only client tools (name, description, input_schema) are.");
                }
                string name = RequiredString(tool, "name", p);
                if (!tool.TryGetProperty("input_schema", out var schema) || schema.ValueKind != JsonValueKind.Object)
                {
                    throw ApiError.BadParam(p + ".input_schema", $"'{p}.input_schema' must be a JSON schema object.", schema.ValueKind == JsonValueKind.Undefined ? "missing_required_parameter" : "invalid_type");
                }
                w.WriteStartObject();
                w.WriteString("type", "function");
                w.WriteStartObject("function");
                w.WriteString("name", name);
                if (tool.TryGetProperty("description", out var description) && description.ValueKind == JsonValueKind.String)
                {
                    w.WriteString("description", description.GetString());
                }
                w.WritePropertyName("parameters");
                schema.WriteTo(w);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return JsonElement.Parse(buffer.ToArray());
    }

    /// <summary>
    /// Anthropic's <c>tool_choice</c> as OpenAI's (auto → "auto", any → "required", tool → the named function,
    /// none → "none") and whether several calls may be made (<c>disable_parallel_tool_use</c>).
    /// </summary>
    public static (JsonElement? Choice, bool? Parallel) ToolChoice(JsonElement? toolChoice, bool hasTools)
    {
        if (toolChoice is not { } c || c.ValueKind == JsonValueKind.Null) return (null, null);
        if (c.ValueKind != JsonValueKind.Object)
        {
            throw ApiError.BadParam("tool_choice", $"'tool_choice' must be an object such as {{\"type\": \"auto\"}}, not {JsonBody.Describe(c.ValueKind)}.", "invalid_type");
        }
        string type = RequiredString(c, "type", "tool_choice");
        bool? parallel = c.TryGetProperty("disable_parallel_tool_use", out var d) && d.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? d.ValueKind == JsonValueKind.False : null;
        if (type is not ("auto" or "none" or "any" or "tool"))
        {
            throw ApiError.BadParam("tool_choice.type", $"'tool_choice.type' must be 'auto', 'any', 'tool' or 'none', got '{type}'.");
        }
        if (!hasTools && type is "any" or "tool")
        {
            throw ApiError.BadParam("tool_choice", $"'tool_choice' is '{type}' but the request has no 'tools'.");
        }
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            if (type == "tool")
            {
                w.WriteStartObject();
                w.WriteString("type", "function");
                w.WriteStartObject("function");
                w.WriteString("name", RequiredString(c, "name", "tool_choice"));
                w.WriteEndObject();
                w.WriteEndObject();
            }
            else
            {
                w.WriteStringValue(type == "any" ? "required" : type);
            }
        }
        return (JsonElement.Parse(buffer.ToArray()), parallel);
    }

    private static string TypeOf(JsonElement block, string p)
    {
        if (block.ValueKind != JsonValueKind.Object) throw ApiError.BadParam(p, $"'{p}' must be a content block object.", "invalid_type");
        return RequiredString(block, "type", p);
    }

    private static void AppendText(StringBuilder text, JsonElement block, string p) => text.Append(RequiredString(block, "text", p, allowEmpty: true));

    private static string RequiredString(JsonElement o, string name, string p, bool allowEmpty = false)
    {
        if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) throw ApiError.Missing($"{p}.{name}");
        if (v.ValueKind != JsonValueKind.String) throw ApiError.BadParam($"{p}.{name}", $"'{p}.{name}' must be a string, not {JsonBody.Describe(v.ValueKind)}.", "invalid_type");
        string s = v.GetString()!;
        if (s.Length == 0 && !allowEmpty) throw ApiError.BadParam($"{p}.{name}", $"'{p}.{name}' must not be empty.");
        return s;
    }

    private static ApiError Unsupported(string p, string type, string supported) =>
        ApiError.BadParam(p + ".type", $"'{p}.type' is '{type}': that content block is not supported here; {supported} blocks are.");
}
