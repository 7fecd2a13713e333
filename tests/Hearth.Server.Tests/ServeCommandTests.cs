using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace Hearth.Server.Tests;

/// <summary><c>hearth serve</c> as a real process: flags, the printed address, HEARTH_API_KEY.</summary>
public sealed partial class ServeCommandTests
{
    [Fact]
    public async Task Serve_listens_on_loopback_and_takes_the_api_key_from_the_environment()
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { FindCli(), "serve", "-m", Servers.ModelPath, "--port", "0", "--parallel", "1", "--ctx", "128" }) psi.ArgumentList.Add(a);
        psi.Environment["HEARTH_API_KEY"] = "from-env";
        using var process = Process.Start(psi)!;
        try
        {
            var line = process.StandardOutput.ReadLineAsync();
            var finished = await Task.WhenAny(line, Task.Delay(TimeSpan.FromSeconds(30)));
            Assert.True(finished == line, "hearth serve printed no address within 30 s: " + (process.HasExited ? await process.StandardError.ReadToEndAsync() : "still running"));
            var match = Address().Match((await line) ?? string.Empty);
            Assert.True(match.Success, $"unexpected first line: {await line}");
            var address = new Uri(match.Groups[1].Value);
            Assert.Equal("127.0.0.1", address.Host);
            Assert.Contains("API key required", await line, StringComparison.Ordinal);

            using var anonymous = new HttpClient { BaseAddress = address };
            using (var r = await anonymous.GetAsync("v1/models")) Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            using (var r = await anonymous.GetAsync("health")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            // The web chat page is on by default and loads without the key.
            using (var r = await anonymous.GetAsync("")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            using var keyed = new HttpClient { BaseAddress = address };
            keyed.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "from-env");
            string models = await keyed.GetStringAsync("v1/models");
            Assert.Contains("\"id\":\"stories260K\"", models, StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Serve_without_the_web_ui_answers_404_at_the_root()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { FindCli(), "serve", "-m", Servers.ModelPath, "--port", "0", "--parallel", "1", "--ctx", "64", "--no-webui" }) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        try
        {
            var line = process.StandardOutput.ReadLineAsync();
            var finished = await Task.WhenAny(line, Task.Delay(TimeSpan.FromSeconds(30)));
            Assert.True(finished == line, "hearth serve printed no address within 30 s: " + (process.HasExited ? await process.StandardError.ReadToEndAsync() : "still running"));
            var match = Address().Match((await line) ?? string.Empty);
            Assert.True(match.Success, $"unexpected first line: {await line}");
            using var http = new HttpClient { BaseAddress = new Uri(match.Groups[1].Value) };
            using (var r = await http.GetAsync("")) Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            using (var r = await http.GetAsync("v1/models")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Serve_refuses_a_host_that_is_not_an_address()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { FindCli(), "serve", "-m", Servers.ModelPath, "--host", "my-host", "--port", "0" }) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        string stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(1, process.ExitCode);
        Assert.Contains("my-host", stderr, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"at (http://\S+/)")]
    private static partial Regex Address();

    /// <summary>tests/Hearth.Server.Tests/bin/&lt;cfg&gt;/&lt;tfm&gt;/ → src/Hearth.Cli/bin/&lt;cfg&gt;/&lt;tfm&gt;/Hearth.Cli.dll.</summary>
    internal static string FindCli()
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
