using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Hearth.Compare;
using Hearth.Numerics;

// Usage:
//   Hearth.Compare generate --shape tinyllama|qwen05|deepseek-v2-lite|qwen3moe|gpt-oss-20b --type Q4_0|Q8_0|Q4_K|MXFP4 --out FILE [--layers N]
//   Hearth.Compare llama --lib DIR [--variant best|alderlake|...] -m FILE -t N -p 512 -n 128 [-d DEPTH] -r R
//                                    (llama.cpp 2026-09-12 from DIR; prints a JSON line like `hearth bench --json`)
//   Hearth.Compare kernels [--types Q8_0,Q4_0] [--rows 512 --cols 2048 --tokens 64]   (GEMM vs per-row, one thread)
//   Hearth.Compare bandwidth [-t 2] [--mib 1024]   (streaming read bandwidth)
//   Hearth.Compare pool [-t 2] [--jobs 20000]   (worker pool cost per job: wake-up + barrier)
//   Hearth.Compare compare --hearth PATH/TO/hearth --lib DIR [--variants best,alderlake] [-d DEPTH] -t N -r ROUNDS FILE...
//                                    (Hearth and each llama.cpp variant in turn, round after round; prints ratios)
var inv = CultureInfo.InvariantCulture;
string Arg(string name, string? fallback = null)
{
    int i = Array.IndexOf(args, name);
    if (i >= 0 && i + 1 < args.Length) return args[i + 1];
    return fallback ?? throw new ArgumentException($"missing {name}");
}

switch (args.Length > 0 ? args[0] : "")
{
    case "generate":
        {
            var shape = ModelShape.Parse(Arg("--shape"));
            // Fewer blocks than the shape's (a quick check of the generator; the benchmark files use the shape's).
            if (Array.IndexOf(args, "--layers") >= 0) shape = shape with { Layers = int.Parse(Arg("--layers"), inv) };
            var type = Enum.Parse<GgmlType>(Arg("--type"), ignoreCase: true);
            string output = Arg("--out");
            var sw = Stopwatch.StartNew();
            SyntheticModel.Write(output, shape, type);
            Console.WriteLine($"wrote {output} ({new FileInfo(output).Length / 1e6:F0} MB) in {sw.Elapsed.TotalSeconds:F0} s");
            return 0;
        }
    case "llama":
        {
            double[] pp, tg;
            string variant;
            try
            {
                (pp, tg, variant) = LlamaBench.Run(Arg("--lib"), Arg("--variant", "best"), Arg("-m"),
                int.Parse(Arg("-t", "2"), inv), int.Parse(Arg("-p", "512"), inv), int.Parse(Arg("-n", "128"), inv),
                int.Parse(Arg("-d", "0"), inv), int.Parse(Arg("-r", "3"), inv));
            }
            catch (PlatformNotSupportedException e)
            {
                Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, string>
                {
                    ["variant"] = Arg("--variant", "best"),
                    ["unavailable"] = e.Message,
                }));
                return 0;
            }
            using var stdout = Console.OpenStandardOutput();
            using (var w = new Utf8JsonWriter(stdout))
            {
                w.WriteStartObject();
                w.WriteString("variant", variant);
                Write(w, "pp", pp);
                Write(w, "tg", tg);
                w.WriteNumber("peak_rss_bytes", PeakRss());
                w.WriteEndObject();
            }
            stdout.WriteByte((byte)'\n');
            return 0;
        }
    case "kernels":
        foreach (string t in Arg("--types", "Q8_0,Q4_0,Q4_K,Q6_K,F16,F32").Split(','))
        {
            KernelBench.Run(Enum.Parse<GgmlType>(t, ignoreCase: true), int.Parse(Arg("--rows", "512"), inv),
                int.Parse(Arg("--cols", "2048"), inv), int.Parse(Arg("--tokens", "128"), inv));
        }
        return 0;
    case "bandwidth":
        StreamBench.Run(int.Parse(Arg("-t", "2"), inv), int.Parse(Arg("--mib", "1024"), inv), args.Contains("--prefetch"));
        return 0;
    case "pool":
        PoolBench.Run(int.Parse(Arg("-t", "2"), inv), int.Parse(Arg("--jobs", "20000"), inv));
        return 0;
    case "compare":
        return Comparison.Run(Arg("--hearth"), Arg("--lib"), Arg("--variants", "best,alderlake").Split(','),
            int.Parse(Arg("-t", "2"), inv), int.Parse(Arg("-r", "3"), inv), int.Parse(Arg("-d", "0"), inv),
            args.Skip(1).Where(a => a.EndsWith(".gguf", StringComparison.Ordinal)).ToArray());
    default:
        Console.Error.WriteLine("usage: Hearth.Compare generate|llama|compare ... (see Program.cs)");
        return 2;
}

static void Write(Utf8JsonWriter w, string name, double[] sorted)
{
    if (sorted.Length == 0) return;
    w.WriteStartObject(name);
    w.WriteStartObject("tokens_per_s");
    w.WriteNumber("min", sorted[0]);
    w.WriteNumber("median", sorted[sorted.Length / 2]);
    w.WriteNumber("max", sorted[^1]);
    w.WriteEndObject();
    w.WriteEndObject();
}

static long PeakRss()
{
    foreach (string line in File.ReadLines("/proc/self/status"))
    {
        if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
        {
            return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
        }
    }
    return 0;
}
