using System.Diagnostics.Metrics;
using System.Net;
using OpenAI.Chat;

namespace Hearth.Server.Tests;

/// <summary>Metrics, health, API keys, the body size limit and the default bind address.</summary>
public sealed class OperationsTests
{
    private static HearthServerOptions Options(string? apiKey = null, long maxBody = 8L * 1024 * 1024) =>
        new() { ModelPath = Servers.ModelPath, Port = 0, Parallel = 2, ContextSize = 256, ApiKey = apiKey, MaxRequestBodyBytes = maxBody };

    [Fact]
    public async Task Metrics_are_prometheus_text_that_counts_tokens_and_latencies()
    {
        await using var server = await Servers.StartAsync(Options());
        using var http = Servers.Client(server);
        using (var r = await Servers.PostAsync(http, "v1/completions", """{"model":"stories260K","prompt":"The dog","max_tokens":7,"temperature":0,"logit_bias":{"2":-100}}"""))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
        using var response = await http.GetAsync("metrics");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        string text = await response.Content.ReadAsStringAsync();
        var samples = text.Split('\n').Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => l.Split(' ')).ToDictionary(p => p[0], p => double.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, samples["hearth_requests_running"]);
        Assert.Equal(0, samples["hearth_requests_waiting"]);
        Assert.Equal(0, samples["hearth_kv_cache_usage_ratio"]);
        Assert.Equal(7, samples["hearth_generation_tokens_total"]);
        Assert.True(samples["hearth_prompt_tokens_total"] >= 2);
        Assert.Equal(1, samples["hearth_requests_total"]);
        Assert.Equal(1, samples["hearth_time_to_first_token_seconds_count"]);
        Assert.Equal(1, samples["hearth_time_to_first_token_seconds_bucket{le=\"+Inf\"}"]);
        Assert.Equal(6, samples["hearth_inter_token_latency_seconds_count"]);
        Assert.Contains("# TYPE hearth_time_to_first_token_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE hearth_kv_cache_usage_ratio gauge", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE hearth_generation_tokens_total counter", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Instruments_are_published_for_opentelemetry()
    {
        var seen = new HashSet<string>();
        long generated = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name != "Hearth.Server") return;
            lock (seen) seen.Add(instrument.Name);
            l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "hearth.tokens.generated") Interlocked.Add(ref generated, value);
        });
        listener.Start();
        await using var server = await Servers.StartAsync(Options());
        using var http = Servers.Client(server);
        using (await Servers.PostAsync(http, "v1/completions", """{"model":"stories260K","prompt":"The dog","max_tokens":4,"temperature":0,"logit_bias":{"2":-100}}"""))
        {
        }
        listener.RecordObservableInstruments();
        string[] expected =
        [
            "hearth.requests.running", "hearth.requests.waiting", "hearth.kv_cache.usage", "hearth.tokens.prompt",
            "hearth.tokens.generated", "hearth.time_to_first_token", "hearth.inter_token_latency",
        ];
        lock (seen) Assert.Superset(expected.ToHashSet(), seen);
        // Other servers in the same process report on the same meter name: at least this request's 4 tokens.
        Assert.True(Interlocked.Read(ref generated) >= 4);
    }

    [Fact]
    public async Task Health_reports_slots()
    {
        await using var server = await Servers.StartAsync(Options());
        using var http = Servers.Client(server);
        await Servers.WaitForHealth(http, h => h.GetProperty("status").GetString() == "ok" && h.GetProperty("slots_idle").GetInt32() == 2, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Api_key_is_required_when_set()
    {
        const string Key = "s3cret-key";
        await using var server = await Servers.StartAsync(Options(Key));
        using var anonymous = Servers.Client(server);
        using var wrong = Servers.Client(server, "s3cret-kez");
        using var right = Servers.Client(server, Key);
        foreach (var http in new[] { anonymous, wrong })
        {
            using var r = await http.GetAsync("v1/models");
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            var error = await Servers.ErrorOf(r);
            Assert.Equal("authentication_error", error.GetProperty("type").GetString());
            using var m = await http.GetAsync("metrics");
            Assert.Equal(HttpStatusCode.Unauthorized, m.StatusCode);
            using var c = await Servers.PostAsync(http, "v1/chat/completions", """{"model":"stories260K","messages":[{"role":"user","content":"hi"}]}""");
            Assert.Equal(HttpStatusCode.Unauthorized, c.StatusCode);
        }
        using (var r = await right.GetAsync("v1/models")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using (var h = await anonymous.GetAsync("health")) Assert.Equal(HttpStatusCode.OK, h.StatusCode); // probes need no key

        var client = new ChatClient(Servers.ModelId, Servers.Key(Key), Servers.SdkOptions(server));
        ChatCompletion done = await client.CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 3 });
        Assert.NotNull(done.Content);
        var bad = new ChatClient(Servers.ModelId, Servers.Key("nope"), Servers.SdkOptions(server));
        var e = await Assert.ThrowsAsync<System.ClientModel.ClientResultException>(() => bad.CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(401, e.Status);
    }

    [Fact]
    public async Task Body_over_the_limit_is_413()
    {
        await using var server = await Servers.StartAsync(Options(maxBody: 4096));
        using var http = Servers.Client(server);
        string big = new('a', 10_000);
        using var r = await Servers.PostAsync(http, "v1/chat/completions", $$"""{"model":"stories260K","messages":[{"role":"user","content":"{{big}}"}]}""");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r.StatusCode);
        var error = await Servers.ErrorOf(r);
        Assert.Contains("4096", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Binds_loopback_by_default()
    {
        Assert.Equal("127.0.0.1", new HearthServerOptions { ModelPath = "x" }.Host);
        await using var server = await Servers.StartAsync(new HearthServerOptions { ModelPath = Servers.ModelPath, Port = 0, Parallel = 1, ContextSize = 64 });
        Assert.Equal("127.0.0.1", server.BaseAddress.Host);
        Assert.True(IPAddress.IsLoopback(IPAddress.Parse(server.BaseAddress.Host)));
    }

    [Fact]
    public async Task A_host_that_is_not_an_address_is_refused()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Servers.StartAsync(new HearthServerOptions { ModelPath = Servers.ModelPath, Host = "example.com", Port = 0 }));
        Assert.Contains("example.com", e.Message, StringComparison.Ordinal);
    }
}
