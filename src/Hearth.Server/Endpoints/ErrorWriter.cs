using System.Text.Json;
using Hearth.Server.Protocol;
using Microsoft.AspNetCore.Http;

namespace Hearth.Server.Endpoints;

/// <summary>Writes OpenAI error JSON (Anthropic's shape on the Anthropic routes).</summary>
internal static class ErrorWriter
{
    public static async Task WriteAsync(HttpContext context, ApiError error)
    {
        var response = context.Response;
        response.StatusCode = error.Status;
        response.ContentType = "application/json";
        if (error.Status == 503) response.Headers.RetryAfter = "1";
        if (error.Status == 401) response.Headers.WWWAuthenticate = "Bearer";
        if (Anthropic.AnthropicErrors.Handles(context.Request.Path))
        {
            await Anthropic.AnthropicErrors.WriteBodyAsync(context, error);
            return;
        }
        await JsonSerializer.SerializeAsync(response.Body, error.ToResponse(), ServerJsonContext.Default.ErrorResponse, context.RequestAborted);
    }
}
