using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Hearth.Inference;
using Hearth.Server.Protocol;
using Microsoft.AspNetCore.Http;

namespace Hearth.Server.Endpoints;

/// <summary>
/// Submits a generation to the server's <see cref="SlotPool"/> and answers with its updates: one JSON object, or
/// server-sent events (<c>data: {...}</c> per chunk, <c>data: [DONE]</c> last). The HTTP status is chosen when the first
/// update arrives, so a request that fails before its first token still gets a proper error status. A client that
/// disconnects cancels the generation (its slot is freed at the engine's next step). Latency metrics are recorded here.
/// </summary>
internal static class GenerationResponder
{
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    public static Task RespondAsync(HttpContext context, ServerState state, int[] prompt, GenerationOptions options, IResponseShape shape,
        bool stream, bool includeUsage) =>
        RunAsync(context, state, prompt, options, (reader, aborted) =>
            stream ? StreamAsync(context, reader, shape, includeUsage, aborted) : WholeAsync(context, reader, shape, aborted));

    /// <summary>
    /// Submits the generation and runs <paramref name="respond"/> over its updates: a full pool is a 503, a client that
    /// leaves cancels the generation, and any way out releases the slot. Endpoints with their own wire format (the
    /// Responses API's named events) use this with their own writer.
    /// </summary>
    public static async Task RunAsync(HttpContext context, ServerState state, int[] prompt, GenerationOptions options,
        Func<Reader, CancellationToken, Task> respond)
    {
        Generation? generation;
        try
        {
            generation = state.Pool.TrySubmit(prompt, options);
        }
        catch (ObjectDisposedException)
        {
            throw new ApiError(503, "The server is shutting down.");
        }
        if (generation is null)
        {
            state.Metrics.RequestRejected();
            throw new ApiError(503, "The server is busy: all slots are in use and the queue is full. Retry later.", null, "server_busy");
        }
        var aborted = context.RequestAborted;
        using var registration = aborted.Register(generation.Cancel);
        var reader = new Reader(generation, state);
        try
        {
            await respond(reader, aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client left; the registration above already released the slot.
            state.Metrics.RequestFinished("cancelled");
        }
        finally
        {
            // Any way out of here (a failed write included) must release the slot.
            generation.Cancel();
        }
    }

    private static async Task WholeAsync(HttpContext context, Reader reader, IResponseShape shape, CancellationToken aborted)
    {
        var text = new StringBuilder();
        while (await reader.NextAsync(aborted) is { } update)
        {
            text.Append(update.Text);
            if (update.Finished is { } stats)
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(shape.Whole(text.ToString(), ServerState.FinishWord(stats.FinishReason), UsageOf(stats)), aborted);
                return;
            }
        }
    }

    private static async Task StreamAsync(HttpContext context, Reader reader, IResponseShape shape, bool includeUsage, CancellationToken aborted)
    {
        bool started = false;
        while (true)
        {
            GenerationUpdate? next;
            try
            {
                next = await reader.NextAsync(aborted);
            }
            catch (ApiError e) when (started)
            {
                // Headers are gone; report in-band as OpenAI does, then end the stream.
                await SendAsync(context, System.Text.Json.JsonSerializer.Serialize(e.ToResponse(), ServerJsonContext.Default.ErrorResponse), aborted);
                return;
            }
            if (next is not { } update) return;
            if (!started)
            {
                var response = context.Response;
                response.ContentType = "text/event-stream";
                response.Headers.CacheControl = "no-cache";
                response.Headers["X-Accel-Buffering"] = "no";
                started = true;
                if (shape.FirstChunk() is { } first) await SendAsync(context, first, aborted);
            }
            if (update.Text.Length > 0)
            {
                foreach (string chunk in shape.TextChunks(update.Text)) await SendAsync(context, chunk, aborted);
            }
            if (update.Finished is { } stats)
            {
                foreach (string last in shape.FinalChunks(ServerState.FinishWord(stats.FinishReason))) await SendAsync(context, last, aborted);
                if (includeUsage) await SendAsync(context, shape.UsageChunk(UsageOf(stats)), aborted);
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

    private static Usage UsageOf(GenerationStats s) => new()
    {
        PromptTokens = s.PromptTokens,
        CompletionTokens = s.GeneratedTokens,
        PromptTokensDetails = new PromptTokensDetails { CachedTokens = s.ReusedPromptTokens },
    };

    /// <summary>Reads a generation's updates, records its metrics, and turns its failure into an <see cref="ApiError"/>.</summary>
    internal sealed class Reader(Generation generation, ServerState state)
    {
        private readonly ChannelReader<GenerationUpdate> _updates = generation.Updates;
        private int _tokens;
        private long _lastTokenAt;

        /// <summary>The next update, or null when the stream ended.</summary>
        public async ValueTask<GenerationUpdate?> NextAsync(CancellationToken aborted)
        {
            GenerationUpdate update;
            try
            {
                while (!_updates.TryRead(out update))
                {
                    if (!await _updates.WaitToReadAsync(aborted)) return null;
                }
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                state.Metrics.RequestFinished("error");
                throw e switch
                {
                    ContextOverflowException => new ApiError(400, e.Message),
                    ObjectDisposedException => new ApiError(503, "The server is shutting down."),
                    _ => new ApiError(500, "The engine failed: " + e.Message),
                };
            }
            Record(update);
            return update;
        }

        private void Record(GenerationUpdate update)
        {
            var metrics = state.Metrics;
            if (update.TokenId >= 0)
            {
                long now = Stopwatch.GetTimestamp();
                if (_tokens++ == 0) metrics.TimeToFirstToken(Stopwatch.GetElapsedTime(generation.SubmittedAt, now).TotalSeconds);
                else metrics.InterTokenLatency(Stopwatch.GetElapsedTime(_lastTokenAt, now).TotalSeconds);
                _lastTokenAt = now;
                metrics.GeneratedToken();
            }
            if (update.Finished is { } stats)
            {
                metrics.PromptTokens(stats.PromptTokens - stats.ReusedPromptTokens);
                metrics.RequestFinished(ServerState.FinishWord(stats.FinishReason));
            }
        }
    }
}
