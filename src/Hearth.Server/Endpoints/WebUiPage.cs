using Microsoft.AspNetCore.Http;

namespace Hearth.Server.Endpoints;

/// <summary>
/// The web chat page (<c>WebUi/index.html</c>, embedded in this assembly): one static file with its CSS and script
/// inline, nothing fetched from elsewhere. It talks to <c>/v1/models</c> and <c>/v1/chat/completions</c>.
/// </summary>
internal static class WebUiPage
{
    private static readonly Lazy<byte[]> Page = new(Read);

    /// <summary>Whether <paramref name="path"/> is the page's address.</summary>
    public static bool Serves(PathString path) => path == "/" || path == "/index.html";

    /// <summary>The page's bytes (UTF-8).</summary>
    public static byte[] Bytes => Page.Value;

    public static Task WriteAsync(HttpContext context)
    {
        var response = context.Response;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        // The page runs only its own inline script and talks only to this server.
        response.Headers.ContentSecurityPolicy = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        response.Headers.XContentTypeOptions = "nosniff";
        byte[] page = Bytes;
        response.ContentLength = page.Length;
        return response.Body.WriteAsync(page, context.RequestAborted).AsTask();
    }

    private static byte[] Read()
    {
        using var stream = typeof(WebUiPage).Assembly.GetManifestResourceStream("Hearth.Server.WebUi.index.html")
            ?? throw new InvalidOperationException("The web chat page is missing from the Hearth.Server assembly (resource Hearth.Server.WebUi.index.html).");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
