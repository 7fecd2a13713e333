using System.Text;
using System.Text.Json;
using Hearth.Chat;

namespace Hearth.Server.Endpoints.Responses;

/// <summary>
/// A Responses request's <c>input</c> as chat messages: a string is one user message; an array holds items —
/// messages (<c>{"role","content"}</c>, with or without <c>"type":"message"</c>; content a string or input_text /
/// output_text parts), <c>function_call</c> items (joined with the assistant turn before them), <c>function_call_output</c>
/// items (tool messages) and <c>reasoning</c> items (the next assistant turn's reasoning). Anything else is a 400 naming the item.
/// </summary>
internal static class ResponseInput
{
    private static readonly HashSet<string> Roles = new(StringComparer.Ordinal) { "system", "developer", "user", "assistant" };

    public static List<ChatTemplateMessage> Parse(JsonElement? input)
    {
        if (input is not { } e || e.ValueKind == JsonValueKind.Null) throw ApiError.Missing("input");
        if (e.ValueKind == JsonValueKind.String) return [ChatTemplateMessage.User(e.GetString()!)];
        if (e.ValueKind != JsonValueKind.Array)
        {
            throw ApiError.BadParam("input", $"'input' must be a string or an array of input items, not {JsonBody.Describe(e.ValueKind)}.", "invalid_type");
        }
        if (e.GetArrayLength() == 0) throw ApiError.BadParam("input", "'input' must hold at least one item.");
        var turns = new Turns();
        int i = 0;
        foreach (var item in e.EnumerateArray())
        {
            string p = $"input[{i++}]";
            if (item.ValueKind != JsonValueKind.Object) throw ApiError.BadParam(p, $"'{p}' must be an object.", "invalid_type");
            string? type = String(item, "type", p);
            switch (type)
            {
                case null or "message":
                    Message(item, p, turns);
                    break;
                case "function_call":
                    string name = Required(item, "name", p);
                    string callId = Required(item, "call_id", p);
                    string arguments = String(item, "arguments", p) ?? "{}";
                    if (!IsJsonObject(arguments)) throw ApiError.BadParam(p + ".arguments", $"'{p}.arguments' must be a JSON object (as text), got: {arguments}");
                    turns.Call(new ChatTemplateToolCall(name, arguments, callId));
                    break;
                case "function_call_output":
                    string answered = Required(item, "call_id", p);
                    if (!item.TryGetProperty("output", out var output)) throw ApiError.Missing(p + ".output");
                    turns.ToolResult(answered, Text(output, p + ".output"));
                    break;
                case "reasoning":
                    turns.Reasoning(ReasoningText(item, p));
                    break;
                default:
                    throw ApiError.BadParam(p + ".type", $"Input item type '{type}' is not supported; use 'message', 'function_call', 'function_call_output' or 'reasoning'.");
            }
        }
        return turns.Finish();
    }

    private static void Message(JsonElement item, string p, Turns turns)
    {
        string role = String(item, "role", p) ?? throw ApiError.Missing(p + ".role");
        if (!Roles.Contains(role))
        {
            throw ApiError.BadParam(p + ".role", $"'{p}.role' is '{role}'; expected one of system, developer, user, assistant.");
        }
        if (!item.TryGetProperty("content", out var content)) throw ApiError.Missing(p + ".content");
        string text = Text(content, p + ".content");
        if (role == "assistant") turns.Assistant(text);
        else turns.Add(new ChatTemplateMessage(role, text));
    }

    /// <summary>A string, or content parts (input_text, output_text, text) joined.</summary>
    private static string Text(JsonElement content, string param)
    {
        if (content.ValueKind == JsonValueKind.String) return content.GetString()!;
        if (content.ValueKind != JsonValueKind.Array)
        {
            throw ApiError.BadParam(param, $"'{param}' must be a string or an array of content parts, not {JsonBody.Describe(content.ValueKind)}.", "invalid_type");
        }
        var sb = new StringBuilder();
        int j = 0;
        foreach (var part in content.EnumerateArray())
        {
            string pp = $"{param}[{j++}]";
            if (part.ValueKind != JsonValueKind.Object) throw ApiError.BadParam(pp, $"'{pp}' must be an object.", "invalid_type");
            string? type = String(part, "type", pp);
            if (type is not ("input_text" or "output_text" or "text"))
            {
                throw ApiError.BadParam(pp + ".type", $"Content part type '{type ?? "(missing)"}' is not supported; only text parts (input_text, output_text) are.");
            }
            sb.Append(Required(part, "text", pp));
        }
        return sb.ToString();
    }

    /// <summary>A reasoning item's text: its reasoning_text content, else its summary.</summary>
    private static string ReasoningText(JsonElement item, string p)
    {
        var sb = new StringBuilder();
        foreach (string field in (string[])["content", "summary"])
        {
            if (!item.TryGetProperty(field, out var parts) || parts.ValueKind == JsonValueKind.Null) continue;
            if (parts.ValueKind != JsonValueKind.Array) throw ApiError.BadParam($"{p}.{field}", $"'{p}.{field}' must be an array.", "invalid_type");
            foreach (var part in parts.EnumerateArray())
            {
                if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String) sb.Append(t.GetString());
            }
            if (sb.Length > 0) break;
        }
        return sb.ToString();
    }

    private static string? String(JsonElement item, string name, string p)
    {
        if (!item.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.String) throw ApiError.BadParam($"{p}.{name}", $"'{p}.{name}' must be a string, not {JsonBody.Describe(v.ValueKind)}.", "invalid_type");
        return v.GetString();
    }

    private static string Required(JsonElement item, string name, string p) =>
        String(item, name, p) is { Length: > 0 } s ? s : throw ApiError.Missing($"{p}.{name}");

    private static bool IsJsonObject(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Collects items into turns: an assistant turn gathers its text, reasoning and calls until another role speaks.</summary>
    private sealed class Turns
    {
        private readonly List<ChatTemplateMessage> _messages = [];
        private readonly Dictionary<string, string> _callNames = new(StringComparer.Ordinal);
        private StringBuilder? _text;
        private string? _reasoning;
        private List<ChatTemplateToolCall>? _calls;

        public void Add(ChatTemplateMessage message)
        {
            Flush();
            _messages.Add(message);
        }

        public void Assistant(string text)
        {
            // A second assistant message after calls starts a new turn (text, calls, text).
            if (_calls != null) Flush();
            (_text ??= new StringBuilder()).Append(text);
        }

        public void Reasoning(string text)
        {
            if (_text != null || _calls != null) Flush();
            _reasoning = (_reasoning ?? "") + text;
        }

        public void Call(ChatTemplateToolCall call)
        {
            (_calls ??= []).Add(call);
            if (call.Id is { } id) _callNames[id] = call.Name;
        }

        public void ToolResult(string callId, string output)
        {
            Flush();
            _messages.Add(new ChatTemplateMessage("tool", output) { ToolCallId = callId, Name = _callNames.GetValueOrDefault(callId) });
        }

        public List<ChatTemplateMessage> Finish()
        {
            Flush();
            return _messages;
        }

        private void Flush()
        {
            if (_text == null && _calls == null && _reasoning == null) return;
            _messages.Add(new ChatTemplateMessage("assistant", _text?.ToString() ?? "")
            {
                ToolCalls = _calls,
                ReasoningContent = string.IsNullOrEmpty(_reasoning) ? null : _reasoning,
            });
            _text = null;
            _calls = null;
            _reasoning = null;
        }
    }
}
