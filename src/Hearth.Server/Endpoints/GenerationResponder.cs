using System.Text;
using Hearth.Server.Protocol;
using Hearth.Server.Scheduling;
using Microsoft.AspNetCore.Http;

namespace Hearth.Server.Endpoints;

/// <summary>
/// Queues a generation and answers with its events: one JSON object, or server-sent events (<c>data: {...}</c> per chunk,
/// <c>data: [DONE]</c> last). The HTTP status is chosen when the first event arrives, so a request that fails before its
/// first token still gets a proper error status. A client that disconnects cancels the request (its slot is freed).
/// </summary>
internal static class GenerationResponder
{
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    public static async Task RespondAsync(HttpContext context, Scheduler scheduler, GenerationRequest request, IResponseShape shape,
        bool stream, bool includeUsage)
    {
        if (!scheduler.TryEnqueue(request))
        {
            scheduler.Metrics.RequestRejected();
            throw new ApiError(503, "The server is busy: all slots are in use and the queue is full. Retry later.", null, "server_busy");
        }
        var aborted = context.RequestAborted;
        using var registration = aborted.Register(() =>
        {
            request.Cancel();
            scheduler.Wake();
        });
        try
        {
            if (stream) await StreamAsync(context, request, shape, includeUsage, aborted);
            else await WholeAsync(context, request, shape, aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client left; the registration above already released the slot.
        }
        finally
        {
            // Any way out of here (a failed write included) must release the slot.
            request.Cancel();
            scheduler.Wake();
        }
    }

    private static async Task WholeAsync(HttpContext context, GenerationRequest request, IResponseShape shape, CancellationToken aborted)
    {
        var text = new StringBuilder();
        await foreach (var e in request.Events.Reader.ReadAllAsync(aborted))
        {
            switch (e.Kind)
            {
                case GenerationEventKind.Text:
                    text.Append(e.Text);
                    break;
                case GenerationEventKind.Failed:
                    throw new ApiError(e.Status, e.Text!);
                case GenerationEventKind.Finished:
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync(shape.Whole(text.ToString(), e.FinishReason!, UsageOf(e)), aborted);
                    return;
            }
        }
    }

    private static async Task StreamAsync(HttpContext context, GenerationRequest request, IResponseShape shape, bool includeUsage, CancellationToken aborted)
    {
        var reader = request.Events.Reader;
        bool started = false;
        await foreach (var e in reader.ReadAllAsync(aborted))
        {
            if (!started)
            {
                if (e.Kind == GenerationEventKind.Failed) throw new ApiError(e.Status, e.Text!);
                var response = context.Response;
                response.ContentType = "text/event-stream";
                response.Headers.CacheControl = "no-cache";
                response.Headers["X-Accel-Buffering"] = "no";
                started = true;
                if (shape.FirstChunk() is { } first) await SendAsync(context, first, aborted);
            }
            switch (e.Kind)
            {
                case GenerationEventKind.Text:
                    foreach (string chunk in shape.TextChunks(e.Text!)) await SendAsync(context, chunk, aborted);
                    break;
                case GenerationEventKind.Failed:
                    // Headers are gone; report in-band as OpenAI does, then end the stream.
                    var error = new ApiError(e.Status, e.Text!);
                    await SendAsync(context, System.Text.Json.JsonSerializer.Serialize(error.ToResponse(), ServerJsonContext.Default.ErrorResponse), aborted);
                    return;
                case GenerationEventKind.Finished:
                    foreach (string last in shape.FinalChunks(e.FinishReason!)) await SendAsync(context, last, aborted);
                    if (includeUsage) await SendAsync(context, shape.UsageChunk(UsageOf(e)), aborted);
                    await context.Response.Body.WriteAsync(Done, aborted);
                    await context.Response.Body.FlushAsync(aborted);
                    return;
            }
        }
    }

    private static async Task SendAsync(HttpContext context, string json, CancellationToken aborted)
    {
        await context.Response.WriteAsync("data: " + json + "\n\n", aborted);
        await context.Response.Body.FlushAsync(aborted);
    }

    private static Usage UsageOf(GenerationEvent e) => new()
    {
        PromptTokens = e.PromptTokens,
        CompletionTokens = e.CompletionTokens,
        PromptTokensDetails = new PromptTokensDetails { CachedTokens = e.CachedTokens },
    };
}
