using System.ClientModel;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OpenAI;

namespace Hearth.Server.Tests;

/// <summary>A real server on 127.0.0.1 (a free port) over the stories260K model, shared by a test class.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public HearthServer Server { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await Servers.StartAsync(new HearthServerOptions { ModelPath = Servers.ModelPath, Port = 0, Parallel = 4, ContextSize = 256 });
        Http = Servers.Client(Server);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>Starting servers and talking to them.</summary>
internal static class Servers
{
    public const string ModelId = "stories260K";

    /// <summary>The end-of-sequence token of stories260K's SentencePiece vocabulary ("&lt;/s&gt;").</summary>
    public const int EosId = 2;

    public static string ModelPath => TestData.PathOf("gguf/stories260K.gguf");

    public static Task<HearthServer> StartAsync(HearthServerOptions options) => HearthServer.StartAsync(options);

    public static HttpClient Client(HearthServer server, string? apiKey = null)
    {
        var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(180) };
        if (apiKey != null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return http;
    }

    public static OpenAIClientOptions SdkOptions(HearthServer server) => new()
    {
        Endpoint = new Uri(server.BaseAddress, "v1"),
        NetworkTimeout = TimeSpan.FromSeconds(180),
        RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0),
    };

    public static ApiKeyCredential Key(string key = "unused") => new(key);

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static Task<HttpResponseMessage> PostAsync(HttpClient http, string path, string json, CancellationToken ct = default) =>
        http.PostAsync(path, Json(json), ct);

    /// <summary>The OpenAI error object of a response, checked for its required fields.</summary>
    public static async Task<JsonElement> ErrorOf(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = doc.RootElement.GetProperty("error");
        Assert.Equal(JsonValueKind.String, error.GetProperty("message").ValueKind);
        Assert.Equal(JsonValueKind.String, error.GetProperty("type").ValueKind);
        Assert.True(error.TryGetProperty("param", out _));
        Assert.True(error.TryGetProperty("code", out _));
        return error.Clone();
    }

    /// <summary>Polls <c>/health</c> until <paramref name="condition"/> holds (or fails after <paramref name="timeout"/>).</summary>
    public static async Task WaitForHealth(HttpClient http, Func<JsonElement, bool> condition, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        JsonElement last = default;
        while (DateTime.UtcNow < until)
        {
            using var doc = JsonDocument.Parse(await http.GetStringAsync("health"));
            last = doc.RootElement.Clone();
            if (condition(last)) return;
            await Task.Delay(10);
        }
        Assert.Fail($"/health did not reach the expected state within {timeout.TotalSeconds} s; last: {last}");
    }
}
