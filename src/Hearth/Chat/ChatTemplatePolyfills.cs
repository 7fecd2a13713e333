using Hearth.Chat.Jinja;

namespace Hearth.Chat;

/// <summary>
/// Message rewrites applied before rendering (never changing the caller's objects): parsing tool-call arguments to
/// objects, and llama.cpp's (minja, late 2024) polyfills for templates without a system role or tool support.
/// </summary>
internal static class ChatTemplatePolyfills
{
    private static readonly JinjaJson.Options Indent2 = new("  ", ",", ": ");

    /// <summary>Copies the messages with every function tool call's <c>arguments</c> string parsed as JSON.</summary>
    public static object? ParseToolCallArguments(object? messages)
    {
        if (messages is not List<object?> list) return messages;
        var result = new List<object?>(list.Count);
        foreach (var m in list) result.Add(m is JinjaDict d ? WithParsedArguments(d) : m);
        return result;
    }

    private static JinjaDict WithParsedArguments(JinjaDict message)
    {
        if (!message.TryGet("tool_calls", out object? calls) || calls is not List<object?> callList) return message;
        var copy = message.Clone();
        var newCalls = new List<object?>(callList.Count);
        foreach (var call in callList)
        {
            if (call is JinjaDict c && c.TryGet("function", out object? fn) && fn is JinjaDict f && f.TryGet("arguments", out object? args) && args is string json)
            {
                var nf = f.Clone();
                nf.Set("arguments", ParseArguments(json));
                var nc = c.Clone();
                nc.Set("function", nf);
                newCalls.Add(nc);
            }
            else
            {
                newCalls.Add(call);
            }
        }
        copy.Set("tool_calls", newCalls);
        return copy;
    }

    private static object? ParseArguments(string json)
    {
        try
        {
            return JinjaJson.Parse(json);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new JinjaException($"a tool call's arguments are not valid JSON ({e.Message}): {json}");
        }
    }

    public static object? Apply(object? messages, bool supportsSystemRole, bool supportsTools, bool requiresObjectArguments)
    {
        if (messages is not List<object?> list || (supportsSystemRole && supportsTools && !requiresObjectArguments)) return messages;
        var result = new List<object?>(list.Count);
        string pending = "";
        void FlushSystem()
        {
            if (pending.Length == 0) return;
            result.Add(ChatTemplateVariables.Message("user", pending));
            pending = "";
        }
        foreach (var item in list)
        {
            if (item is not JinjaDict original || !original.TryGet("role", out object? roleValue) || !original.ContainsKey("content"))
                throw new JinjaException($"each message needs 'role' and 'content' fields: {JinjaValue.Repr(item)}");
            string role = JinjaValue.ToStr(roleValue);
            var message = original;
            if (message.ContainsKey("tool_calls"))
            {
                if (requiresObjectArguments || !supportsTools) message = WithParsedArguments(message);
                if (!supportsTools) message = ToolCallsAsContent(message);
            }
            if (!supportsTools && role == "tool") message = ToolResultAsUser(message);
            message.TryGet("content", out object? content);
            if (content is string text && !supportsSystemRole)
            {
                if (role == "system")
                {
                    pending += (pending.Length > 0 ? "\n" : "") + text;
                    continue;
                }
                if (role == "user")
                {
                    if (pending.Length > 0)
                    {
                        message = message.Clone();
                        message.Set("content", pending + (text.Length == 0 ? "" : "\n" + text));
                        pending = "";
                    }
                }
                else
                {
                    FlushSystem();
                }
            }
            result.Add(message);
        }
        FlushSystem();
        return result;
    }

    private static JinjaDict ToolCallsAsContent(JinjaDict message)
    {
        message.TryGet("tool_calls", out object? calls);
        var toolCalls = new List<object?>();
        foreach (var call in JinjaValue.Iterate(calls))
        {
            if (call is not JinjaDict c || !c.TryGet("type", out object? type) || type is not "function") continue;
            c.TryGet("function", out object? fn);
            var tc = new JinjaDict();
            tc["name"] = JinjaEvaluator.GetItem(fn, "name");
            tc["arguments"] = JinjaEvaluator.GetItem(fn, "arguments");
            if (c.TryGet("id", out object? id)) tc["id"] = id;
            toolCalls.Add(tc);
        }
        var obj = new JinjaDict();
        obj["tool_calls"] = toolCalls;
        message.TryGet("content", out object? content);
        if (content != null && content is not "") obj["content"] = content;
        var copy = message.Clone();
        copy.Set("content", JinjaJson.Dumps(obj, Indent2));
        copy.Remove("tool_calls");
        return copy;
    }

    private static JinjaDict ToolResultAsUser(JinjaDict message)
    {
        var response = new JinjaDict();
        response["tool"] = message.TryGet("name", out object? name) ? name : null;
        message.TryGet("content", out object? content);
        response["content"] = content;
        if (message.TryGet("tool_call_id", out object? id)) response["tool_call_id"] = id;
        var obj = new JinjaDict();
        obj["tool_response"] = response;
        var copy = message.Clone();
        copy.Set("role", "user");
        copy.Set("content", JinjaJson.Dumps(obj, Indent2));
        copy.Remove("name");
        return copy;
    }
}
