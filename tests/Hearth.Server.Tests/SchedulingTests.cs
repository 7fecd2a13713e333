using System.Net;
using System.Text.Json;

namespace Hearth.Server.Tests;

/// <summary>Slots, continuous batching, the bounded queue, client disconnects and prefix reuse.</summary>
public sealed class SchedulingTests
{
    private static readonly string[] Prompts =
    [
        "Once upon a time", "The dog", "Lily and Tom went to the park.", "One day, a little bird",
        "The sun was hot.", "Mom said", "There was a big tree.", "Ben liked cars",
    ];

    private static string Body(string prompt, int maxTokens, bool stream = false, bool banEos = false) =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["model"] = Servers.ModelId,
            ["prompt"] = prompt,
            ["max_tokens"] = maxTokens,
            ["temperature"] = 0,
            ["stream"] = stream,
            ["logit_bias"] = banEos ? new Dictionary<string, int> { [Servers.EosId.ToString(System.Globalization.CultureInfo.InvariantCulture)] = -100 } : new Dictionary<string, int>(),
        });

    private static async Task<string> TextOf(HttpClient http, string prompt, int maxTokens)
    {
        using var response = await Servers.PostAsync(http, "v1/completions", Body(prompt, maxTokens));
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("choices")[0].GetProperty("text").GetString()!;
    }

    [Fact]
    public async Task Concurrent_requests_give_the_same_greedy_text_as_sequential_ones()
    {
        await using var server = await Servers.StartAsync(new HearthServerOptions { ModelPath = Servers.ModelPath, Port = 0, Parallel = 3, ContextSize = 256 });
        using var http = Servers.Client(server);
        var sequential = new List<string>();
        foreach (string p in Prompts) sequential.Add(await TextOf(http, p, 24));
        // 8 requests on 3 slots: some wait in the queue and join the batch as slots free up.
        var concurrent = await Task.WhenAll(Prompts.Select(p => TextOf(http, p, 24)));
        Assert.Equal(sequential, concurrent);
    }

    [Fact]
    public async Task Full_queue_answers_503_with_retry_after()
    {
        await using var server = await Servers.StartAsync(new HearthServerOptions
        {
            ModelPath = Servers.ModelPath, Port = 0, Parallel = 1, MaxQueue = 1, ContextSize = 256, StepDelay = TimeSpan.FromMilliseconds(20),
        });
        using var http = Servers.Client(server);
        using var cts = new CancellationTokenSource();
        using var running = new HttpRequestMessage(HttpMethod.Post, "v1/completions") { Content = Servers.Json(Body("The dog", 200, stream: true, banEos: true)) };
        using var first = await http.SendAsync(running, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode); // headers arrive with the first token: it holds the slot
        var waiting = Servers.PostAsync(http, "v1/completions", Body("The cat", 200, banEos: true), cts.Token);
        await Servers.WaitForHealth(http, h => h.GetProperty("requests_waiting").GetInt32() == 1, TimeSpan.FromSeconds(10));

        using var refused = await Servers.PostAsync(http, "v1/completions", Body("The bird", 5));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        var error = await Servers.ErrorOf(refused);
        Assert.Equal("server_busy", error.GetProperty("code").GetString());
        string metrics = await http.GetStringAsync("metrics");
        Assert.Contains("hearth_requests_rejected_total 1\n", metrics, StringComparison.Ordinal);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public async Task A_client_that_disconnects_frees_its_slot_at_once()
    {
        await using var server = await Servers.StartAsync(new HearthServerOptions
        {
            ModelPath = Servers.ModelPath, Port = 0, Parallel = 1, ContextSize = 256, StepDelay = TimeSpan.FromMilliseconds(20),
        });
        using var http = Servers.Client(server);
        // 200 tokens at >= 20 ms per step would hold the only slot for 4 s or more.
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = Servers.Json("""{"model":"stories260K","messages":[{"role":"user","content":"Hi"}],"max_tokens":200,"stream":true,"logit_bias":{"2":-100}}"""),
        };
        // A client that does not drain an unfinished response before closing (the default handler would read up to
        // its drain limit to reuse the connection, which is not what a client that goes away does).
        using var leaving = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = server.BaseAddress };
        var response = await leaving.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var stream = await response.Content.ReadAsStreamAsync();
        Assert.True(await stream.ReadAsync(new byte[64]) > 0);
        await Servers.WaitForHealth(http, h => h.GetProperty("slots_processing").GetInt32() == 1, TimeSpan.FromSeconds(5));
        var left = DateTime.UtcNow;
        response.Dispose(); // the connection closes: the server sees RequestAborted
        request.Dispose();
        await Servers.WaitForHealth(http, h => h.GetProperty("slots_processing").GetInt32() == 0, TimeSpan.FromSeconds(2));
        Assert.True(DateTime.UtcNow - left < TimeSpan.FromSeconds(2), $"the slot was freed after {DateTime.UtcNow - left}");
        // The slot serves the next request.
        Assert.NotEmpty(await TextOf(http, "The dog", 5));
    }

    [Fact]
    public async Task A_slot_reuses_the_cached_prefix_of_the_previous_request()
    {
        await using var server = await Servers.StartAsync(new HearthServerOptions { ModelPath = Servers.ModelPath, Port = 0, Parallel = 1, ContextSize = 256 });
        using var http = Servers.Client(server);
        const string Json = """{"model":"stories260K","messages":[{"role":"user","content":"Tell me about a cat named Tom."}],"max_tokens":10,"temperature":0}""";
        async Task<JsonElement> Ask()
        {
            using var r = await Servers.PostAsync(http, "v1/chat/completions", Json);
            using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
            return doc.RootElement.Clone();
        }
        var first = await Ask();
        var second = await Ask();
        var usage = second.GetProperty("usage");
        int prompt = usage.GetProperty("prompt_tokens").GetInt32();
        Assert.Equal(0, first.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
        // All but the last prompt token come from the cache (one is evaluated again to get the next logits).
        Assert.Equal(prompt - 1, usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
        Assert.Equal(
            first.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(),
            second.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }
}
