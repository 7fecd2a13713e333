using System.Diagnostics;
using System.Text.Json;

namespace Hearth.Server.Tests.Hub;

/// <summary>hearth pull / list / rm and -m ORG/REPO:QUANT as real processes against the fake Hub (HF_ENDPOINT).</summary>
public sealed class PullCommandTests : IAsyncLifetime
{
    private readonly string _home = Directory.CreateTempSubdirectory("hearth-cli-hub-").FullName;
    private FakeHub _hub = null!;

    private string Cache => Path.Combine(_home, "hub");

    public async Task InitializeAsync()
    {
        _hub = await FakeHub.StartAsync();
        HubModels.AddTo(_hub);
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }

    private async Task<(int Code, string Stdout, string Stderr)> Hearth(params string[] args) => await Hearth(null, args);

    private async Task<(int Code, string Stdout, string Stderr)> Hearth(Dictionary<string, string>? env, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(FindCli());
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.Environment["HF_ENDPOINT"] = _hub.Endpoint.ToString();
        psi.Environment["HF_HOME"] = _home;
        psi.Environment.Remove("HF_HUB_CACHE");
        psi.Environment.Remove("HEARTH_MODELS");
        psi.Environment.Remove("HF_TOKEN");
        psi.Environment.Remove("HF_HUB_OFFLINE");
        foreach (var kv in env ?? []) psi.Environment[kv.Key] = kv.Value;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Pull_prints_a_line_per_step_and_where_the_model_is()
    {
        var (code, stdout, stderr) = await Hearth("pull", $"{HubModels.Repo}:q8_0");
        Assert.True(code == 0, stderr);
        Assert.Contains($"resolving {HubModels.Repo}:q8_0", stdout);
        foreach (string part in HubModels.Q8Parts)
        {
            Assert.Contains($"{part}: downloading", stdout);
            Assert.Contains($"{part}: done", stdout);
        }
        string last = stdout.TrimEnd().Split('\n')[^1];
        Assert.StartsWith($"{HubModels.Repo}:Q8_0: ", last);
        Assert.Contains("(3 parts)", last);
        Assert.Contains(Path.Combine(Cache, "models--hearth-test--stories260K-GGUF", "snapshots"), last);

        var again = await Hearth("pull", $"{HubModels.Repo}:Q8_0");
        Assert.Equal(0, again.Code);
        Assert.Contains("already in the cache", again.Stdout);
        foreach (string part in HubModels.Q8Parts) Assert.Equal(1, _hub.DownloadsOf(part));
    }

    [Fact]
    public async Task Run_with_a_hub_model_pulls_it_first_and_generates_as_the_local_file_does()
    {
        string[] run = ["run", "-p", "Once upon a time", "-n", "8", "--temp", "0", "--json", "-t", "1"];
        var missing = await Hearth(["run", "-m", $"{HubModels.Repo}:F32", "--no-pull", .. run[1..]]);
        Assert.Equal(1, missing.Code);
        Assert.Contains("hearth pull", missing.Stderr);
        Assert.Empty(_hub.Downloads);

        var local = await Hearth(["run", "-m", Servers.ModelPath, .. run[1..]]);
        var pulled = await Hearth(["run", "-m", $"{HubModels.Repo}:F32", .. run[1..]]);
        Assert.True(pulled.Code == 0, pulled.Stderr);
        Assert.Contains($"{HubModels.F32File}: done", pulled.Stderr);
        Assert.Equal(Tokens(local.Stdout), Tokens(pulled.Stdout));

        // Cached now: used at once, with no request to the Hub, even offline.
        int requests = _hub.Log.Count;
        var offline = await Hearth(new() { ["HF_HUB_OFFLINE"] = "1" }, ["run", "-m", $"{HubModels.Repo}:F32", .. run[1..]]);
        Assert.True(offline.Code == 0, offline.Stderr);
        Assert.Equal(Tokens(local.Stdout), Tokens(offline.Stdout));
        Assert.Equal(requests, _hub.Log.Count);
        var offlineMissing = await Hearth(new() { ["HF_HUB_OFFLINE"] = "1" }, ["run", "-m", $"{HubModels.Repo}:Q8_0", .. run[1..]]);
        Assert.Equal(1, offlineMissing.Code);
        Assert.Contains("HF_HUB_OFFLINE", offlineMissing.Stderr);
    }

    [Fact]
    public async Task List_shows_the_cached_models_and_rm_removes_one()
    {
        Assert.Equal(0, (await Hearth("pull", $"{HubModels.Repo}:Q8_0")).Code);
        Assert.Equal(0, (await Hearth("pull", $"{HubModels.Repo}:F32")).Code);
        var (code, stdout, stderr) = await Hearth("list", "--json");
        Assert.True(code == 0, stderr);
        using (var doc = JsonDocument.Parse(stdout))
        {
            Assert.Equal(Cache, doc.RootElement.GetProperty("cache").GetString());
            var models = doc.RootElement.GetProperty("models").EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!);
            Assert.Equal([$"{HubModels.Repo}:F32", $"{HubModels.Repo}:Q8_0"], models.Keys.Order());
            var q8 = models[$"{HubModels.Repo}:Q8_0"];
            Assert.Equal(3, q8.GetProperty("files").GetArrayLength());
            Assert.Equal(HubModels.Q8.Sum(b => (long)b.Length), q8.GetProperty("size_bytes").GetInt64());
            Assert.Equal("llama", q8.GetProperty("architecture").GetString());
            Assert.Equal("Q8_0", q8.GetProperty("quant_type").GetString());
            Assert.True(q8.GetProperty("parameters").GetInt64() > 200_000);
            Assert.Equal(JsonValueKind.String, q8.GetProperty("last_used").ValueKind);
        }
        var table = await Hearth("list");
        // The table wraps to the width of a redirected console; its cells are checked by fragments.
        Assert.Equal(0, table.Code);
        Assert.Contains("llama", table.Stdout);
        Assert.Contains("Q8_0", table.Stdout);
        Assert.Contains($"cache: {Cache}", table.Stdout);

        var rm = await Hearth("rm", $"{HubModels.Repo}:F32");
        Assert.True(rm.Code == 0, rm.Stderr);
        Assert.Contains("freed", rm.Stdout);
        string blobs = Path.Combine(Cache, "models--hearth-test--stories260K-GGUF", "blobs");
        Assert.Equal(3, Directory.GetFiles(blobs).Length);
        using (var doc = JsonDocument.Parse((await Hearth("list", "--json")).Stdout))
        {
            Assert.Equal([$"{HubModels.Repo}:Q8_0"], doc.RootElement.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()));
        }
        var gone = await Hearth("rm", $"{HubModels.Repo}:F32");
        Assert.Equal(1, gone.Code);
        Assert.Contains("not in the model cache", gone.Stderr);
    }

    private static int[] Tokens(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return [.. doc.RootElement.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32())];
    }

    /// <summary>tests/Hearth.Server.Tests/bin/&lt;cfg&gt;/&lt;tfm&gt;/ → src/Hearth.Cli/bin/&lt;cfg&gt;/&lt;tfm&gt;/Hearth.Cli.dll.</summary>
    private static string FindCli()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory);
        string tfm = testBin.Name, cfg = testBin.Parent!.Name;
        for (var dir = testBin; dir != null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "src", "Hearth.Cli", "bin", cfg, tfm, "Hearth.Cli.dll");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("Hearth.Cli.dll not found; build the solution first.");
    }
}
