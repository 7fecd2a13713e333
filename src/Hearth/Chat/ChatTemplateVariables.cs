using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hearth.Chat.Jinja;

namespace Hearth.Chat;

/// <summary>Turns the typed <see cref="ChatTemplateContext"/> and .NET values into template values.</summary>
internal static class ChatTemplateVariables
{
    /// <param name="c">The conversation.</param>
    /// <param name="reasoningAsThinking">Also give an assistant turn's reasoning as <c>thinking</c> (gpt-oss's template).</param>
    public static Dictionary<string, object?> FromContext(ChatTemplateContext c, bool reasoningAsThinking = false)
    {
        var vars = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var kv in c.Variables) vars[kv.Key] = ToValue(kv.Value);
        var messages = new List<object?>(c.Messages.Count);
        foreach (var m in c.Messages)
        {
            var d = FromMessage(m);
            if (reasoningAsThinking)
            {
                // As llama.cpp does for gpt-oss: reasoning as "thinking", and a tool-calling turn without its content
                // (the template would render that content as analysis, or fail testing text against a null content).
                if (m.ReasoningContent != null) d["thinking"] = m.ReasoningContent;
                if (m.ToolCalls is { Count: > 0 } && (m.ReasoningContent != null || m.Content is null)) d.Remove("content");
            }
            messages.Add(d);
        }
        vars["messages"] = messages;
        vars["add_generation_prompt"] = c.AddGenerationPrompt;
        vars["bos_token"] = c.BosToken;
        vars["eos_token"] = c.EosToken;
        if (c.Tools is { } tools) vars["tools"] = JinjaJson.FromElement(tools);
        return vars;
    }

    public static JinjaDict Message(string role, string? content)
    {
        var d = new JinjaDict();
        d["role"] = role;
        d["content"] = content;
        return d;
    }

    private static JinjaDict FromMessage(ChatTemplateMessage m)
    {
        var d = Message(m.Role, m.Content);
        if (m.ReasoningContent != null) d["reasoning_content"] = m.ReasoningContent;
        if (m.ToolCalls is { Count: > 0 } calls)
        {
            var list = new List<object?>(calls.Count);
            foreach (var call in calls)
            {
                var fn = new JinjaDict();
                fn["name"] = call.Name;
                fn["arguments"] = call.Arguments;
                var tc = new JinjaDict();
                if (call.Id != null) tc["id"] = call.Id;
                tc["type"] = "function";
                tc["function"] = fn;
                list.Add(tc);
            }
            d["tool_calls"] = list;
        }
        if (m.ToolCallId != null) d["tool_call_id"] = m.ToolCallId;
        if (m.Name != null) d["name"] = m.Name;
        return d;
    }

    public static object? ToValue(object? v) => v switch
    {
        null => null,
        string or bool or long or double => v,
        int i => (long)i,
        float f => (double)f,
        decimal m => (double)m,
        JsonElement e => JinjaJson.FromElement(e),
        JsonNode n => JinjaJson.Parse(n.ToJsonString()),
        IDictionary<string, object?> dict => FromDictionary(dict),
        IEnumerable seq => seq.Cast<object?>().Select(ToValue).ToList(),
        _ => throw new ArgumentException($"A template variable cannot hold a {v.GetType().Name}; use JSON, strings, numbers, booleans, lists or dictionaries."),
    };

    private static JinjaDict FromDictionary(IDictionary<string, object?> dict)
    {
        var d = new JinjaDict();
        foreach (var kv in dict) d.Set(kv.Key, ToValue(kv.Value));
        return d;
    }
}
