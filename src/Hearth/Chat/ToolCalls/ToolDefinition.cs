using System.Text.Json;

namespace Hearth.Chat.ToolCalls;

/// <summary>One function from an OpenAI <c>tools</c> array: its name and its parameters' JSON Schema text.</summary>
internal sealed record ToolDefinition(string Name, string ParametersSchema)
{
    /// <summary>
    /// Reads <c>[{"type": "function", "function": {"name": ..., "parameters": {...}}}, ...]</c> (a bare
    /// <c>{"name": ..., "parameters": ...}</c> per entry is accepted too). A function without parameters takes any object.
    /// </summary>
    public static List<ToolDefinition> ParseAll(JsonElement tools)
    {
        if (tools.ValueKind != JsonValueKind.Array)
            throw new ArgumentException($"'tools' must be a JSON array of function definitions, not {tools.ValueKind}.", nameof(tools));
        var list = new List<ToolDefinition>();
        int i = 0;
        foreach (var t in tools.EnumerateArray())
        {
            if (t.ValueKind != JsonValueKind.Object)
                throw new ArgumentException($"tools[{i}] must be an object like {{\"type\": \"function\", \"function\": {{\"name\": ...}}}}, not {t.ValueKind}.", nameof(tools));
            var fn = t;
            if (t.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() != "function")
                throw new ArgumentException($"tools[{i}] has type '{type.GetString()}'; only 'function' tools are supported.", nameof(tools));
            if (t.TryGetProperty("function", out var f)) fn = f;
            if (fn.ValueKind != JsonValueKind.Object || !fn.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(name.GetString()))
                throw new ArgumentException($"tools[{i}] has no function name (expected tools[{i}].function.name to be a non-empty string).", nameof(tools));
            string schema = "{\"type\": \"object\"}";
            if (fn.TryGetProperty("parameters", out var p) && p.ValueKind != JsonValueKind.Null)
            {
                if (p.ValueKind != JsonValueKind.Object)
                    throw new ArgumentException($"tools[{i}] ('{name.GetString()}') has parameters of kind {p.ValueKind}; expected a JSON Schema object.", nameof(tools));
                schema = p.GetRawText();
            }
            list.Add(new ToolDefinition(name.GetString()!, schema));
            i++;
        }
        return list;
    }
}
