using System.Text.Json;
using Hearth.Server.Protocol.Anthropic;
using Microsoft.AspNetCore.Http;

namespace Hearth.Server.Endpoints.Anthropic;

/// <summary>
/// Errors on the Anthropic routes (<c>/v1/messages…</c>) in Anthropic's shape,
/// <c>{"type":"error","error":{"type":"invalid_request_error","message":...}}</c>, with Anthropic's error types.
/// </summary>
internal static class AnthropicErrors
{
    public static bool Handles(PathString path) => path.StartsWithSegments("/v1/messages", StringComparison.Ordinal);

    /// <summary>Anthropic's error type for an HTTP status.</summary>
    public static string TypeOf(int status) => status switch
    {
        400 or 415 or 422 => "invalid_request_error",
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        503 or 529 => "overloaded_error",
        _ => status >= 500 ? "api_error" : "invalid_request_error",
    };

    public static AnthropicErrorResponse Of(ApiError error) => new()
    {
        // The parameter is named in the message already (Anthropic's body has no param field).
        Error = new AnthropicErrorBody { Type = TypeOf(error.Status), Message = error.Message },
    };

    /// <summary>The body only: <see cref="ErrorWriter"/> has set the status and headers.</summary>
    public static Task WriteBodyAsync(HttpContext context, ApiError error) =>
        JsonSerializer.SerializeAsync(context.Response.Body, Of(error), AnthropicJsonContext.Default.AnthropicErrorResponse, context.RequestAborted);

    public static string Json(ApiError error) => JsonSerializer.Serialize(Of(error), AnthropicJsonContext.Default.AnthropicErrorResponse);
}
