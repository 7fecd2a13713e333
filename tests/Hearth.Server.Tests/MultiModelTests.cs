using System.Net;
using System.Text.Json;

namespace Hearth.Server.Tests;

/// <summary>One server, several models: /v1/models lists all, a request's model picks one, lazy load, LRU unload.</summary>
public sealed class MultiModelTests
{
    private static readonly string Q4Path = TestData.PathOf("gguf/stories260K-Q4_K_M.gguf");

    private static Task<HearthServer> Start(int maxLoaded, TimeSpan? loadWait = null, TimeSpan loadDelay = default) => Servers.StartAsync(new HearthServerOptions
    {
        LoadDelay = loadDelay,
        ModelPath = Servers.ModelPath,
        ExtraModels = [new ServedModel(Q4Path, "stories-q4")],
        MaxLoaded = maxLoaded,
        LoadWait = loadWait ?? TimeSpan.FromSeconds(60),
        Port = 0,
        Parallel = 1,
        ContextSize = 128,
    });

    private static async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> Complete(HttpClient http, string model)
    {
        var response = await Servers.PostAsync(http, "v1/completions", $$"""{"model":"{{model}}","prompt":"Once upon a time","max_tokens":6,"temperature":0}""");
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    private static async Task<string[]> ModelIds(HttpClient http)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync("v1/models"));
        return [.. doc.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!)];
    }

    private static async Task<Dictionary<string, string>> States(HttpClient http)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync("api/ps"));
        return doc.RootElement.GetProperty("models").EnumerateArray()
            .ToDictionary(m => m.GetProperty("id").GetString()!, m => m.GetProperty("state").GetString()!);
    }

    [Fact]
    public async Task Two_models_answer_by_name_and_max_loaded_1_unloads_the_least_recently_used()
    {
        await using var server = await Start(maxLoaded: 1);
        using var http = Servers.Client(server);
        string[] both = ["stories260K", "stories-q4"];
        Assert.Equal(both, await ModelIds(http));
        // The first model loads at start; the second on first use.
        Assert.Equal(new Dictionary<string, string> { ["stories260K"] = "loaded", ["stories-q4"] = "unloaded" }, await States(http));

        var a = await Complete(http, "stories260K");
        Assert.True(a.Status == HttpStatusCode.OK, a.Body);
        var b = await Complete(http, "stories-q4");
        Assert.True(b.Status == HttpStatusCode.OK, b.Body);
        using (var doc = JsonDocument.Parse(b.Body)) Assert.Equal("stories-q4", doc.RootElement.GetProperty("model").GetString());
        Assert.Equal(new Dictionary<string, string> { ["stories260K"] = "unloaded", ["stories-q4"] = "loaded" }, await States(http));
        Assert.Equal(both, await ModelIds(http));

        // Back to the first: it loads again and the other goes; the answers are the same as before.
        var again = await Complete(http, "stories260K");
        Assert.True(again.Status == HttpStatusCode.OK, again.Body);
        Assert.Equal(Text(a.Body), Text(again.Body));
        Assert.Equal(new Dictionary<string, string> { ["stories260K"] = "loaded", ["stories-q4"] = "unloaded" }, await States(http));
        Assert.Equal(both, await ModelIds(http));

        var unknown = await Complete(http, "nope");
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Contains("stories-q4", unknown.Body);
        using (var r = await http.GetAsync("v1/models/stories-q4")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using (var r = await http.GetAsync("v1/models/nope")) Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
    }

    [Fact]
    public async Task Without_a_limit_both_stay_loaded()
    {
        await using var server = await Start(maxLoaded: 0);
        using var http = Servers.Client(server);
        Assert.Equal(HttpStatusCode.OK, (await Complete(http, "stories-q4")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Complete(http, "stories260K")).Status);
        Assert.Equal(new Dictionary<string, string> { ["stories260K"] = "loaded", ["stories-q4"] = "loaded" }, await States(http));
    }

    [Fact]
    public async Task A_request_for_a_model_still_loading_gets_503_with_Retry_After_then_succeeds()
    {
        // Each load takes at least a second and requests do not wait: the first request finds the model loading.
        await using var server = await Start(maxLoaded: 0, loadWait: TimeSpan.Zero, loadDelay: TimeSpan.FromSeconds(1));
        using var http = Servers.Client(server);
        var first = await Complete(http, "stories-q4");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.Status);
        Assert.NotNull(first.Response.Headers.RetryAfter);
        Assert.Contains("loading", first.Body);
        var until = DateTime.UtcNow.AddSeconds(60);
        (HttpStatusCode Status, string Body, HttpResponseMessage Response) next;
        do
        {
            await Task.Delay(50);
            next = await Complete(http, "stories-q4");
        }
        while (next.Status == HttpStatusCode.ServiceUnavailable && DateTime.UtcNow < until);
        Assert.True(next.Status == HttpStatusCode.OK, next.Body);
    }

    [Fact]
    public async Task Hearth_ps_shows_what_the_server_has_loaded()
    {
        await using var server = await Start(maxLoaded: 1);
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { ServeCommandTests.FindCli(), "ps", "--url", server.BaseAddress.ToString() }) psi.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(psi)!;
        string stdout = await process.StandardOutput.ReadToEndAsync();
        string stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, stderr);
        Assert.Contains("stories260K", stdout);
        Assert.Contains("stories-q4", stdout);
        Assert.Contains("loaded", stdout);
        Assert.Contains("unloaded", stdout);
    }

    private static string Text(string body)
    {
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("choices")[0].GetProperty("text").GetString()!;
    }
}
