using System.Text.Json;
using Hearth.Sampling;

namespace Hearth.Server.Endpoints;

/// <summary><c>response_format</c>: JSON output through grammar-constrained decoding.</summary>
internal static class ResponseFormat
{
    public static Grammar? GrammarOf(JsonElement? format)
    {
        if (format is not { } f || f.ValueKind == JsonValueKind.Null) return null;
        if (f.ValueKind != JsonValueKind.Object) throw ApiError.BadParam("response_format", $"'response_format' must be an object, not {JsonBody.Describe(f.ValueKind)}.", "invalid_type");
        if (!f.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String) throw ApiError.Missing("response_format.type");
        switch (type.GetString())
        {
            case "text":
                return null;
            case "json_object":
                return Grammar.JsonObject;
            case "json_schema":
                if (!f.TryGetProperty("json_schema", out var js) || js.ValueKind != JsonValueKind.Object) throw ApiError.Missing("response_format.json_schema");
                if (!js.TryGetProperty("schema", out var schema)) return Grammar.AnyJson;
                return FromSchema(schema, "response_format.json_schema.schema");
            default:
                throw ApiError.BadParam("response_format.type", $"'response_format.type' must be 'text', 'json_object' or 'json_schema', got '{type.GetString()}'.");
        }
    }

    /// <summary>The grammar of a JSON schema; a schema it cannot express is a 400 naming <paramref name="param"/>.</summary>
    public static Grammar FromSchema(JsonElement schema, string param)
    {
        try
        {
            return Grammar.FromJsonSchema(schema.GetRawText());
        }
        catch (GrammarFormatException e)
        {
            throw ApiError.BadParam(param, "The JSON schema cannot be used for constrained decoding: " + e.Message);
        }
    }
}
