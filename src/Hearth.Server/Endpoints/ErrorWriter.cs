using System.Text.Json;
using Hearth.Server.Protocol;
using Microsoft.AspNetCore.Http;

namespace Hearth.Server.Endpoints;

/// <summary>Writes OpenAI error JSON.</summary>
internal static class ErrorWriter
{
    public static async Task WriteAsync(HttpContext context, ApiError error)
    {
        var response = context.Response;
        response.StatusCode = error.Status;
        response.ContentType = "application/json";
        if (error.Status == 503) response.Headers.RetryAfter = "1";
        if (error.Status == 401) response.Headers.WWWAuthenticate = "Bearer";
        await JsonSerializer.SerializeAsync(response.Body, error.ToResponse(), ServerJsonContext.Default.ErrorResponse, context.RequestAborted);
    }
}
