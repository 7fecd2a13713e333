using System.Buffers;
using System.Text.Json;
using Hearth.Chat;
using Hearth.Sampling;
using Hearth.Server.Protocol.Responses;

namespace Hearth.Server.Endpoints.Responses;

/// <summary>
/// A Responses request's <c>tools</c>, <c>tool_choice</c> and <c>text.format</c>. The Responses shapes are flat
/// (<c>{"type":"function","name",...}</c>); they are rewritten into the Chat Completions shapes so the one tool-call
/// machinery (<see cref="ToolRequest"/>: template rendering, forced-call grammar, parsing) and the one JSON-schema
/// grammar (<see cref="ResponseFormat"/>) serve both APIs.
/// </summary>
internal static class ResponseOptions
{
    /// <summary><c>[]</c>, echoed as <c>tools</c> when the request has none.</summary>
    public static JsonElement EmptyArray { get; } = Parse("[]");

    /// <summary><c>"auto"</c>, echoed as <c>tool_choice</c> when the request has none.</summary>
    public static JsonElement Auto { get; } = Parse("\"auto\"");

    /// <summary><c>{"format":{"type":"text"}}</c>, echoed as <c>text</c> when the request has none.</summary>
    public static JsonElement PlainText { get; } = Parse("""{"format":{"type":"text"}}""");

    public static ToolRequest Tools(ResponsesRequest body, ChatTemplate template, int maxCalls) =>
        ToolRequest.Of(ChatTools(body.Tools), ChatToolChoice(body.ToolChoice), body.ParallelToolCalls, template, maxCalls);

    /// <summary>The grammar <c>text.format</c> asks for: none for text, any JSON object, or a JSON schema's.</summary>
    public static Grammar? TextGrammar(JsonElement? text)
    {
        if (text is not { } t || t.ValueKind == JsonValueKind.Null) return null;
        if (t.ValueKind != JsonValueKind.Object) throw ApiError.BadParam("text", $"'text' must be an object, not {JsonBody.Describe(t.ValueKind)}.", "invalid_type");
        if (!t.TryGetProperty("format", out var f) || f.ValueKind == JsonValueKind.Null) return null;
        if (f.ValueKind != JsonValueKind.Object) throw ApiError.BadParam("text.format", $"'text.format' must be an object, not {JsonBody.Describe(f.ValueKind)}.", "invalid_type");
        if (!f.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String) throw ApiError.Missing("text.format.type");
        switch (type.GetString())
        {
            case "text":
                return null;
            case "json_object":
                return Grammar.JsonObject;
            case "json_schema":
                if (!f.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.Object) throw ApiError.Missing("text.format.schema");
                return ResponseFormat.FromSchema(schema, "text.format.schema");
            default:
                throw ApiError.BadParam("text.format.type", $"'text.format.type' must be 'text', 'json_object' or 'json_schema', got '{type.GetString()}'.");
        }
    }

    /// <summary><c>[{"type":"function","name","description","parameters"}]</c> → <c>[{"type":"function","function":{…}}]</c>.</summary>
    private static JsonElement? ChatTools(JsonElement? tools)
    {
        if (tools is not { } list || list.ValueKind != JsonValueKind.Array) return tools; // null, or a wrong type ToolRequest reports
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            int i = 0;
            foreach (var tool in list.EnumerateArray())
            {
                string p = $"tools[{i++}]";
                if (tool.ValueKind != JsonValueKind.Object) throw ApiError.BadParam(p, $"'{p}' must be an object.", "invalid_type");
                string? type = tool.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                if (type != "function")
                {
                    throw ApiError.BadParam(p + ".type", $"Tool type '{type ?? "(missing)"}' is not supported; only 'function' tools are (built-in tools such as web search need OpenAI's servers).");
                }
                if (!tool.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || name.GetString()!.Length == 0) throw ApiError.Missing(p + ".name");
                w.WriteStartObject();
                w.WriteString("type", "function");
                w.WritePropertyName("function");
                w.WriteStartObject();
                foreach (var field in tool.EnumerateObject())
                {
                    if (field.Name is "name" or "description" or "parameters" or "strict") field.WriteTo(w);
                }
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return Parse(buffer.WrittenSpan);
    }

    /// <summary><c>{"type":"function","name":"f"}</c> → <c>{"type":"function","function":{"name":"f"}}</c>; strings pass as they are.</summary>
    private static JsonElement? ChatToolChoice(JsonElement? choice)
    {
        if (choice is not { } c || c.ValueKind != JsonValueKind.Object) return choice;
        string? type = c.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        if (type is null) throw ApiError.Missing("tool_choice.type");
        if (type != "function") throw ApiError.BadParam("tool_choice.type", $"'tool_choice.type' must be 'function', got '{type}'.");
        if (!c.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || name.GetString()!.Length == 0) throw ApiError.Missing("tool_choice.name");
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", "function");
            w.WritePropertyName("function");
            w.WriteStartObject();
            w.WriteString("name", name.GetString());
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Parse(buffer.WrittenSpan);
    }

    private static JsonElement Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        return JsonElement.ParseValue(ref reader);
    }

    private static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }
}
