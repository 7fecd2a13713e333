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
                if (ParametersProblem(p, $"tools[{i}] ('{name.GetString()}')") is { } problem) throw new ArgumentException(problem, nameof(tools));
                schema = p.GetRawText();
            }
            if (list.Exists(d => d.Name == name.GetString()))
                throw new ArgumentException($"tools[{i}] repeats the function name '{name.GetString()}'; each function needs its own name.", nameof(tools));
            list.Add(new ToolDefinition(name.GetString()!, schema));
            i++;
        }
        return list;
    }

    /// <summary>
    /// The checks every tool's <c>parameters</c> gets, forced call or not (constrained decoding checks more when a call is
    /// forced): arguments are a JSON object, <c>properties</c> maps names to schemas, <c>required</c> lists strings.
    /// </summary>
    private static string? ParametersProblem(JsonElement p, string where)
    {
        if (p.TryGetProperty("type", out var type))
        {
            bool objectType = type.ValueKind == JsonValueKind.String ? type.GetString() == "object"
                : type.ValueKind == JsonValueKind.Array && type.EnumerateArray().Any(t => t.ValueKind == JsonValueKind.String && t.GetString() == "object");
            if (!objectType)
                return $"{where} has parameters of type {type.GetRawText()}; a function's arguments are a JSON object (\"type\": \"object\").";
        }
        if (p.TryGetProperty("properties", out var props))
        {
            if (props.ValueKind != JsonValueKind.Object)
                return $"{where} has 'parameters.properties' of kind {props.ValueKind}; expected an object mapping argument names to schemas.";
            foreach (var prop in props.EnumerateObject())
            {
                if (prop.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
                    return $"{where}: the schema of argument '{prop.Name}' is {prop.Value.ValueKind}; expected a JSON Schema object.";
            }
        }
        if (p.TryGetProperty("required", out var required))
        {
            if (required.ValueKind != JsonValueKind.Array || required.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String))
                return $"{where} has 'parameters.required' that is not an array of argument names.";
        }
        return null;
    }
}
