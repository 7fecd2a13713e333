using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Hearth.Compare;

/// <summary>
/// Runs `hearth bench` and this tool's llama.cpp bench (one process per llama.cpp CPU variant) as separate processes on
/// the same file with the same threads, in turn, round after round, so that machine noise hits all alike; prints the
/// medians and the Hearth / llama.cpp ratio against each variant.
/// </summary>
internal static class Comparison
{
    public static int Run(string hearth, string libDir, string[] variants, int threads, int rounds, int depth, string[] files)
    {
        string self = Environment.ProcessPath!;
        var inv = CultureInfo.InvariantCulture;
        string t = threads.ToString(inv), d = depth.ToString(inv);
        Console.WriteLine($"date: {DateTime.UtcNow:yyyy-MM-dd}, cpu: {CpuName()}, threads: {threads}, rounds: {rounds}, depth: {depth}, load before: {Load()}");
        Console.WriteLine("llama.cpp: 2026-09-12 (80fb11a), prebuilt @node-llama-cpp/linux-x64@3.21.1, llama-bench defaults");
        foreach (string file in files)
        {
            var h = new Samples();
            var l = variants.Select(_ => new Samples()).ToArray();
            for (int r = 0; r < rounds; r++)
            {
                string[] hearthArgs = ["bench", "-m", file, "-t", t, "-p", "512", "-n", "128", "-r", "1", "--json"];
                if (depth > 0) hearthArgs = [.. hearthArgs, "-d", d];
                h.Add(RunJson(hearth, hearthArgs));
                for (int v = 0; v < variants.Length; v++)
                {
                    l[v].Add(RunJson(self, ["llama", "--lib", libDir, "--variant", variants[v], "-m", file, "-t", t,
                        "-p", "512", "-n", "128", "-d", d, "-r", "1"]));
                }
            }
            string name = Path.GetFileName(file);
            Console.WriteLine();
            Console.WriteLine($"{name}: Hearth RSS {h.Rss / 1048576.0:F0} MiB");
            Console.WriteLine("| test | Hearth t/s | llama.cpp variant | llama.cpp t/s | ratio | llama.cpp RSS MiB |");
            Console.WriteLine("|---|---|---|---|---|---|");
            for (int v = 0; v < variants.Length; v++)
            {
                string label = variants[v] == "best" ? $"{l[v].Variant} (ggml's pick)" : l[v].Variant;
                if (l[v].Unavailable is { } why)
                {
                    Console.WriteLine($"| pp512, tg128 | | {label} | n/a: {why} | | |");
                    continue;
                }
                Console.WriteLine($"| pp512 | {h.Pp:F2} | {label} | {l[v].Pp:F2} | {h.Pp / l[v].Pp:F2} | {l[v].Rss / 1048576.0:F0} |");
                Console.WriteLine($"| tg128 | {h.Tg:F2} | {label} | {l[v].Tg:F2} | {h.Tg / l[v].Tg:F2} | |");
            }
        }
        Console.WriteLine($"load after: {Load()}");
        return 0;
    }

    private sealed class Samples
    {
        private readonly List<double> _pp = [];
        private readonly List<double> _tg = [];

        public double Pp => Median(_pp);

        public double Tg => Median(_tg);

        public long Rss { get; private set; }

        public string Variant { get; private set; } = "";

        public string? Unavailable { get; private set; }

        public void Add(JsonElement e)
        {
            if (e.TryGetProperty("unavailable", out var why))
            {
                Unavailable = why.GetString();
                Variant = e.GetProperty("variant").GetString() ?? "";
                return;
            }
            _pp.Add(e.GetProperty("pp").GetProperty("tokens_per_s").GetProperty("median").GetDouble());
            _tg.Add(e.GetProperty("tg").GetProperty("tokens_per_s").GetProperty("median").GetDouble());
            Rss = Math.Max(Rss, e.GetProperty("peak_rss_bytes").GetInt64());
            if (e.TryGetProperty("variant", out var v)) Variant = v.GetString() ?? "";
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

    private static string CpuName()
    {
        if (!File.Exists("/proc/cpuinfo")) return "unknown";
        string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line is null ? "unknown" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }
}
