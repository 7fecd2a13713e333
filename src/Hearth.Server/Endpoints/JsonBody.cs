using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Hearth.Server.Endpoints;

/// <summary>
/// Reads a JSON request body in two passes so each failure gets its own answer: first well-formedness (malformed JSON,
/// 400), then the typed read (a field of the wrong type, 400 naming that field), all under the body size limit (413).
/// </summary>
internal static class JsonBody
{
    public static async Task<T> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type)
    {
        CheckMediaType(context.Request);
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
        }
        catch (JsonException e)
        {
            throw new ApiError(400, $"The request body is not valid JSON: {e.Message}", null, "invalid_json");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new ApiError(413, "The request body is larger than the server accepts " +
                $"({context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize} bytes).",
                null, "request_too_large");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ApiError(400, $"The request body must be a JSON object, not {Describe(document.RootElement.ValueKind)}.", null, "invalid_json");
            }
            try
            {
                return document.RootElement.Deserialize(type)
                    ?? throw new ApiError(400, "The request body must be a JSON object.", null, "invalid_json");
            }
            catch (JsonException e)
            {
                string param = ParamOf(e.Path);
                throw new ApiError(400, $"Invalid type for '{param}'" +
                    (Expected(e) is { } expected ? $": expected {expected}." : "."), param, "invalid_type");
            }
        }
    }

    /// <summary>415 unless the body says it is JSON (<c>application/json</c> or a <c>+json</c> type, any charset parameter).</summary>
    public static void CheckMediaType(HttpRequest request)
    {
        string? type = request.ContentType;
        if (type != null && Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(type, out var media))
        {
            var m = media.MediaType;
            if (m.Equals("application/json", StringComparison.OrdinalIgnoreCase) || m.EndsWith("+json", StringComparison.OrdinalIgnoreCase)) return;
        }
        throw new ApiError(415, $"The request body must be JSON sent with 'Content-Type: application/json'; got {(type is null ? "no Content-Type" : $"'{type}'")}.",
            null, "unsupported_media_type");
    }

    /// <summary>"$.messages[0].role" → "messages[0].role".</summary>
    private static string ParamOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return "body";
        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    private static string? Expected(JsonException e)
    {
        string m = e.Message;
        if (m.Contains("System.Single", StringComparison.Ordinal) || m.Contains("System.Double", StringComparison.Ordinal)) return "a number";
        if (m.Contains("System.Int32", StringComparison.Ordinal) || m.Contains("System.Int64", StringComparison.Ordinal)) return "an integer";
        if (m.Contains("System.Boolean", StringComparison.Ordinal)) return "a boolean";
        if (m.Contains("System.String", StringComparison.Ordinal)) return "a string";
        if (m.Contains("List`1", StringComparison.Ordinal)) return "an array";
        if (m.Contains("Dictionary`2", StringComparison.Ordinal) || m.Contains("Hearth.Server.Protocol", StringComparison.Ordinal)) return "an object";
        return null;
    }

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
