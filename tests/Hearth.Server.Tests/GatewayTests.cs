using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Hearth.Server.Tests;

/// <summary>
/// What a Kubernetes inference gateway relies on: readiness apart from liveness, draining on SIGTERM, the load gauges
/// under load; and the small llama-server endpoints and request checks (/tokenize, /detokenize, 415, tool schemas).
/// </summary>
public sealed partial class GatewayTests
{
    private const string Completion = """{"model":"stories260K","prompt":"Once upon a time","max_tokens":40,"temperature":0,"stream":true,"logit_bias":{"2":-100}}""";

    [Fact]
    public async Task Ready_is_503_while_the_first_model_loads_and_health_stays_200()
    {
        int port = FreePort();
        var start = Servers.StartAsync(new HearthServerOptions
        {
            ModelPath = Servers.ModelPath, Port = port, Parallel = 1, ContextSize = 128, LoadDelay = TimeSpan.FromSeconds(2),
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        HttpResponseMessage? ready = null;
        for (int i = 0; i < 200 && ready is null; i++)
        {
            try
            {
                ready = await http.GetAsync("ready");
            }
            catch (HttpRequestException)
            {
                await Task.Delay(10); // not listening yet
            }
        }
        Assert.NotNull(ready);
        Assert.False(start.IsCompleted, "the server finished loading before the probe could see it loading");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready!.StatusCode);
        Assert.Equal("loading", Status(await ready.Content.ReadAsStringAsync()));
        using (var health = await http.GetAsync("health")) Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        await using var server = await start;
        using var after = await http.GetAsync("ready");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal("ready", Status(await after.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Draining_finishes_the_stream_in_flight_and_refuses_new_requests()
    {
        await using var server = await Servers.StartAsync(new HearthServerOptions
        {
            ModelPath = Servers.ModelPath, Port = 0, Parallel = 2, ContextSize = 256, StepDelay = TimeSpan.FromMilliseconds(20),
        });
        using var http = Servers.Client(server);
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/completions") { Content = Servers.Json(Completion) };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.StartsWith("data: ", await reader.ReadLineAsync(), StringComparison.Ordinal); // the stream has begun

        var drained = server.DrainAsync(TimeSpan.FromSeconds(30));
        Assert.True(server.IsDraining);
        using (var refused = await Servers.PostAsync(http, "v1/completions", """{"model":"stories260K","prompt":"The dog","max_tokens":4}"""))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.Equal("server_draining", (await Servers.ErrorOf(refused)).GetProperty("code").GetString());
        }
        using (var ready = await http.GetAsync("ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Equal("draining", Status(await ready.Content.ReadAsStringAsync()));
        }
        using (var health = await http.GetAsync("health")) Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.False(drained.IsCompleted, "the drain ended while a stream was still running");

        int chunks = 1;
        string? line, last = null;
        while ((line = await reader.ReadLineAsync()) != null)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
            last = line;
            if (line != "data: [DONE]") chunks++;
        }
        Assert.Equal("data: [DONE]", last);
        Assert.True(chunks >= 40, $"the stream was cut after {chunks} chunks");
        Assert.True(await drained.WaitAsync(TimeSpan.FromSeconds(10)), "the drain did not see the server idle");
        Assert.Equal(0, server.RequestsInFlight);
    }

    [Fact]
    public async Task Sigterm_drains_hearth_serve_then_it_exits()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { ServeCommandTests.FindCli(), "serve", "-m", Servers.ModelPath, "--port", "0", "--parallel", "1", "--ctx", "128", "--drain-timeout", "20" })
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi)!;
        try
        {
            string first = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) ?? string.Empty;
            var address = new Uri(Address().Match(first).Groups[1].Value);
            using var client = new TcpClient();
            await client.ConnectAsync(address.Host, address.Port);
            var stream = client.GetStream();
            // A request whose body has not all arrived is in flight: the drain must wait for it.
            string body = """{"model":"stories260K","prompt":"Once upon a time","max_tokens":12,"temperature":0,"stream":true}""";
            byte[] bytes = Encoding.UTF8.GetBytes(body);
            string head = $"POST /v1/completions HTTP/1.1\r\nHost: {address.Authority}\r\nContent-Type: application/json\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.WriteAsync(bytes.AsMemory(0, 10));
            await stream.FlushAsync();
            using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
            await WaitFor(async () => (await http.GetStringAsync("metrics")).Length > 0, "metrics");

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill!.WaitForExitAsync();
            string draining = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20)) ?? string.Empty;
            Assert.StartsWith("hearth: draining (1 requests in flight", draining, StringComparison.Ordinal);
            using (var refused = await Servers.PostAsync(http, "v1/completions", """{"model":"stories260K","prompt":"The dog","max_tokens":4}"""))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            }
            using (var ready = await http.GetAsync("ready")) Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.False(process.HasExited, "hearth serve exited with a request in flight");

            await stream.WriteAsync(bytes.AsMemory(10));
            await stream.FlushAsync();
            string reply = await new StreamReader(stream).ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Contains("HTTP/1.1 200", reply, StringComparison.Ordinal);
            Assert.Contains("data: [DONE]", reply, StringComparison.Ordinal);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(0, process.ExitCode);
            string rest = await process.StandardOutput.ReadToEndAsync();
            Assert.Contains("hearth: drained", rest, StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Gauges_read_back_running_and_waiting_requests_under_load()
    {
        await using var server = await Servers.StartAsync(new HearthServerOptions
        {
            ModelPath = Servers.ModelPath, Port = 0, Parallel = 2, ContextSize = 256, StepDelay = TimeSpan.FromMilliseconds(20),
        });
        using var http = Servers.Client(server);
        using var cts = new CancellationTokenSource();
        var body = """{"model":"stories260K","prompt":"Once upon a time","max_tokens":200,"temperature":0,"logit_bias":{"2":-100}}""";
        var requests = Enumerable.Range(0, 5).Select(_ => Servers.PostAsync(http, "v1/completions", body, cts.Token)).ToList();
        await Servers.WaitForHealth(http, h => h.GetProperty("slots_processing").GetInt32() == 2 && h.GetProperty("requests_waiting").GetInt32() == 3, TimeSpan.FromSeconds(20));
        // The KV gauge is refreshed after each engine step: wait for the first step of the two running requests.
        string metrics = "";
        double kv = 0;
        for (int i = 0; i < 500 && kv == 0; i++)
        {
            metrics = await http.GetStringAsync("metrics");
            kv = double.Parse(Regex.Match(metrics, @"\nhearth_kv_cache_usage_ratio (\S+)\n").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (kv == 0) await Task.Delay(10);
        }
        Assert.InRange(kv, 1e-6, 1.0);
        Assert.Contains("\nhearth_requests_running 2\n", metrics, StringComparison.Ordinal);
        Assert.Contains("\nhearth_requests_waiting 3\n", metrics, StringComparison.Ordinal);
        Assert.Contains("\nhearth_cache_config_info{block_size=\"1\"} 1\n", metrics, StringComparison.Ordinal);
        await cts.CancelAsync();
        foreach (var r in requests) await Assert.ThrowsAnyAsync<OperationCanceledException>(() => r);
    }

    [Fact]
    public async Task Tokenize_and_detokenize_round_trip_as_llama_server()
    {
        await using var server = await Servers.StartAsync(new HearthServerOptions { ModelPath = Servers.ModelPath, Port = 0, Parallel = 1, ContextSize = 128 });
        using var http = Servers.Client(server);
        using var tokenized = await Servers.PostAsync(http, "tokenize", """{"content":"Once upon a time"}""");
        Assert.Equal(HttpStatusCode.OK, tokenized.StatusCode);
        using var doc = JsonDocument.Parse(await tokenized.Content.ReadAsStringAsync());
        int[] ids = [.. doc.RootElement.GetProperty("tokens").EnumerateArray().Select(e => e.GetInt32())];
        Assert.NotEmpty(ids);
        Assert.NotEqual(1, ids[0]); // add_special defaults to false: no BOS

        using var withBos = JsonDocument.Parse(await (await Servers.PostAsync(http, "tokenize", """{"content":"Once upon a time","add_special":true}""")).Content.ReadAsStringAsync());
        Assert.Equal([1, .. ids], withBos.RootElement.GetProperty("tokens").EnumerateArray().Select(e => e.GetInt32()));

        using var pieces = JsonDocument.Parse(await (await Servers.PostAsync(http, "tokenize", """{"content":"Once upon a time","with_pieces":true}""")).Content.ReadAsStringAsync());
        var list = pieces.RootElement.GetProperty("tokens").EnumerateArray().ToList();
        Assert.Equal(ids, list.Select(p => p.GetProperty("id").GetInt32()));
        Assert.Equal(" Once upon a time", string.Concat(list.Select(p => p.GetProperty("piece").GetString())));

        string json = JsonSerializer.Serialize(new { tokens = ids });
        using var detok = JsonDocument.Parse(await (await Servers.PostAsync(http, "detokenize", json)).Content.ReadAsStringAsync());
        Assert.Equal("Once upon a time", detok.RootElement.GetProperty("content").GetString()!.TrimStart());

        using var bad = await Servers.PostAsync(http, "detokenize", """{"tokens":[1,999999]}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("tokens[1]", (await Servers.ErrorOf(bad)).GetProperty("param").GetString());
    }

    [Fact]
    public async Task A_body_that_is_not_json_gets_415_and_bad_tool_schemas_400_without_a_forced_call()
    {
        await using var server = await Servers.StartAsync(new HearthServerOptions { ModelPath = Servers.ModelPath, Port = 0, Parallel = 1, ContextSize = 128 });
        using var http = Servers.Client(server);
        using (var text = await http.PostAsync("v1/chat/completions", new StringContent("""{"model":"stories260K","messages":[]}""", Encoding.UTF8, "text/plain")))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
            Assert.Equal("unsupported_media_type", (await Servers.ErrorOf(text)).GetProperty("code").GetString());
        }
        using (var form = await http.PostAsync("v1/completions", new FormUrlEncodedContent([new("prompt", "x")])))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        }
        const string Tools = """
            "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"x":"number"}}}}]
            """;
        using var badSchema = await Servers.PostAsync(http, "v1/chat/completions",
            "{\"model\":\"stories260K\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":2," + Tools + "}");
        Assert.Equal(HttpStatusCode.BadRequest, badSchema.StatusCode);
        var error = await Servers.ErrorOf(badSchema);
        Assert.Equal("tools", error.GetProperty("param").GetString());
        Assert.Contains("argument 'x'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static string? Status(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("status").GetString();
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static async Task WaitFor(Func<Task<bool>> condition, string what)
    {
        for (int i = 0; i < 500; i++)
        {
            if (await condition()) return;
            await Task.Delay(10);
        }
        Assert.Fail($"{what} never became true");
    }

    [GeneratedRegex(@"at (http://\S+/)")]
    private static partial Regex Address();
}
