using System.Diagnostics;

namespace Hearth.Tests.Cli;

/// <summary>Runs the real <c>hearth</c> CLI (the built Hearth.Cli.dll) as a child process and captures its output.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    private static readonly Lazy<string> CliDll = new(FindCli);

    public static Result Run(params string[] args) => Run(TimeSpan.FromSeconds(120), null, args);

    public static Result Run(TimeSpan timeout, string? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(CliDll.Value);
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin != null) p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"hearth {string.Join(' ', args)} did not finish within {timeout}");
        }
        p.WaitForExit();
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The CLI is built beside the tests (same configuration) because the test project references it.</summary>
    private static string FindCli()
    {
        // tests/Hearth.Tests/bin/<cfg>/net10.0/ -> src/Hearth.Cli/bin/<cfg>/net10.0/Hearth.Cli.dll
        var testBin = new DirectoryInfo(AppContext.BaseDirectory);
        string tfm = testBin.Name;
        string cfg = testBin.Parent!.Name;
        for (var dir = testBin; dir != null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "src", "Hearth.Cli", "bin", cfg, tfm, "Hearth.Cli.dll");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("Hearth.Cli.dll not found; build the solution first.");
    }
}
