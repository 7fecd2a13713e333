using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Hearth.Compare;

/// <summary>
/// Runs `hearth bench` and this tool's llama.cpp bench as separate processes on the same file with the same threads,
/// alternating A B A B so that machine noise hits both alike, and prints the medians and Hearth / llama.cpp ratios.
/// </summary>
internal static class Comparison
{
    public static int Run(string hearth, int threads, int rounds, string[] files)
    {
        string self = Environment.ProcessPath!;
        string selfDll = typeof(Comparison).Assembly.Location;
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"date: {DateTime.UtcNow:yyyy-MM-dd}, threads: {threads}, rounds: {rounds}, load before: {Load()}");
        Console.WriteLine("| model | test | Hearth t/s | llama.cpp t/s | ratio | Hearth RSS MiB | llama.cpp RSS MiB |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (string file in files)
        {
            var h = new Samples();
            var l = new Samples();
            for (int r = 0; r < rounds; r++)
            {
                h.Add(RunJson(hearth, ["bench", "-m", file, "-t", threads.ToString(inv), "-p", "512", "-n", "128", "-r", "1", "--json"]));
                l.Add(RunJson(self.EndsWith("dotnet", StringComparison.Ordinal) ? self : self,
                    self.EndsWith("dotnet", StringComparison.Ordinal)
                        ? [selfDll, "llama", "-m", file, "-t", threads.ToString(inv), "-p", "512", "-n", "128", "-r", "1"]
                        : ["llama", "-m", file, "-t", threads.ToString(inv), "-p", "512", "-n", "128", "-r", "1"]));
            }
            string name = Path.GetFileName(file);
            Console.WriteLine($"| {name} | pp512 | {h.Pp:F2} | {l.Pp:F2} | {h.Pp / l.Pp:F2} | {h.Rss / 1048576.0:F0} | {l.Rss / 1048576.0:F0} |");
            Console.WriteLine($"| {name} | tg128 | {h.Tg:F2} | {l.Tg:F2} | {h.Tg / l.Tg:F2} | | |");
        }
        Console.WriteLine($"load after: {Load()}");
        return 0;
    }

    private sealed class Samples
    {
        private readonly List<double> _pp = [];
        private readonly List<double> _tg = [];
        private long _rss;

        public double Pp => Median(_pp);

        public double Tg => Median(_tg);

        public long Rss => _rss;

        public void Add(JsonElement e)
        {
            _pp.Add(e.GetProperty("pp").GetProperty("tokens_per_s").GetProperty("median").GetDouble());
            _tg.Add(e.GetProperty("tg").GetProperty("tokens_per_s").GetProperty("median").GetDouble());
            _rss = Math.Max(_rss, e.GetProperty("peak_rss_bytes").GetInt64());
        }

        private static double Median(List<double> v)
        {
            var s = v.Order().ToArray();
            return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
        }
    }

    private static JsonElement RunJson(string exe, string[] arguments)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in arguments) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{exe} {string.Join(' ', arguments)} exited with {p.ExitCode}");
        string line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.TrimStart().StartsWith('{'));
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    private static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
}
