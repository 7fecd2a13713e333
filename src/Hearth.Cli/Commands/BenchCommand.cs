using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Hearth.Inference;
using Spectre.Console;

namespace Hearth.Cli.Commands;

/// <summary>
/// <c>hearth bench -m MODEL -t THREADS -p 512 -n 128 -r REPS [--json]</c>, measured as llama-bench does: pp = one batch of
/// p prompt tokens from an empty cache; tg = n single-token decoding steps from an empty cache; random token ids; one
/// warm-up run of each first; median, min and max over the repetitions.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "GGUF model file or ORG/REPO[:QUANT] from Hugging Face (default: the built-in model)" };
        var noPull = ModelSource.NoPullOption();
        var threads = new Option<int>("--threads", "-t") { Description = "Threads (default: all cores)" };
        var pp = new Option<int>("--n-prompt", "-p") { Description = "Prompt tokens for the pp test (0 = skip)", DefaultValueFactory = _ => 512 };
        var tg = new Option<int>("--n-gen", "-n") { Description = "Generated tokens for the tg test (0 = skip)", DefaultValueFactory = _ => 128 };
        var reps = new Option<int>("--repetitions", "-r") { Description = "Repetitions of each test", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var cmd = new Command("bench", "Measure prompt processing (pp) and generation (tg) speed, like llama-bench.") { model, threads, pp, tg, reps, json, noPull };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            string? given = parse.GetValue(model);
            string path = ModelSource.Resolve(given, parse.GetValue(noPull)) ?? BuiltInModel.EnsureExtracted();
            string name = given is null ? BuiltInModel.DisplayName : Path.GetFileName(path);
            int nPrompt = parse.GetValue(pp), nGen = parse.GetValue(tg), r = Math.Max(1, parse.GetValue(reps));
            using var m = Model.Load(path, new ModelOptions { Threads = parse.GetValue(threads), BatchSize = Math.Max(512, nPrompt) });
            using var session = m.CreateSession(Math.Max(nPrompt, nGen) + 1);
            var rng = new Random(1234);
            int[] promptTokens = new int[nPrompt];
            for (int i = 0; i < nPrompt; i++) promptTokens[i] = rng.Next(m.Config.VocabSize);

            double[]? ppRates = nPrompt > 0 ? Measure(r, () => RunPrompt(session, promptTokens)) : null;
            double[]? tgRates = nGen > 0 ? Measure(r, () => RunGeneration(session, nGen, m.Config.VocabSize)) : null;
            long peak = PeakRss();
            if (parse.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                using (var w = new Utf8JsonWriter(stdout))
                {
                    w.WriteStartObject();
                    w.WriteString("model", name);
                    if (ppRates != null) WriteTest(w, "pp", nPrompt, ppRates);
                    if (tgRates != null) WriteTest(w, "tg", nGen, tgRates);
                    w.WriteNumber("threads", m.Pool.ThreadCount);
                    w.WriteNumber("repetitions", r);
                    w.WriteNumber("peak_rss_bytes", peak);
                    w.WriteEndObject();
                }
                stdout.WriteByte((byte)'\n');
            }
            else
            {
                var table = new Table().AddColumns("model", "threads", "test", "t/s (median)", "min", "max");
                if (ppRates != null) AddRow(table, name, m.Pool.ThreadCount, $"pp{nPrompt}", ppRates);
                if (tgRates != null) AddRow(table, name, m.Pool.ThreadCount, $"tg{nGen}", tgRates);
                AnsiConsole.Write(table);
                Console.WriteLine($"peak RSS: {peak / (1024.0 * 1024.0):F1} MiB");
            }
            return 0;
        }));
        return cmd;
    }

    /// <summary>One warm-up run, then <paramref name="reps"/> timed runs; returns tokens/s of each.</summary>
    private static double[] Measure(int reps, Func<(int Tokens, TimeSpan Time)> run)
    {
        run();
        var rates = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            var (tokens, time) = run();
            rates[i] = tokens / time.TotalSeconds;
        }
        Array.Sort(rates);
        return rates;
    }

    private static (int, TimeSpan) RunPrompt(InferenceSession session, int[] tokens)
    {
        session.Reset();
        var sw = Stopwatch.StartNew();
        session.Evaluate(tokens);
        return (tokens.Length, sw.Elapsed);
    }

    private static (int, TimeSpan) RunGeneration(InferenceSession session, int n, int vocab)
    {
        session.Reset();
        var one = new int[1];
        var sw = Stopwatch.StartNew();
        one[0] = 1 % vocab;
        for (int i = 0; i < n; i++)
        {
            var logits = session.Evaluate(one);
            one[0] = TextGenerator.Greedy(logits);
        }
        return (n, sw.Elapsed);
    }

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;

    private static void WriteTest(Utf8JsonWriter w, string name, int n, double[] rates)
    {
        w.WriteStartObject(name);
        w.WriteNumber("n_tokens", n);
        w.WriteStartObject("tokens_per_s");
        w.WriteNumber("min", rates[0]);
        w.WriteNumber("median", Median(rates));
        w.WriteNumber("max", rates[^1]);
        w.WriteEndObject();
        w.WriteStartArray("samples");
        foreach (double x in rates) w.WriteNumberValue(x);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void AddRow(Table table, string model, int threads, string test, double[] rates) =>
        table.AddRow(Markup.Escape(model), threads.ToString(), test, $"{Median(rates):F2}", $"{rates[0]:F2}", $"{rates[^1]:F2}");

    /// <summary>Peak resident set size: VmHWM on Linux, the OS's peak working set elsewhere.</summary>
    internal static long PeakRss()
    {
        try
        {
            if (File.Exists("/proc/self/status"))
            {
                foreach (string line in File.ReadLines("/proc/self/status"))
                {
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    {
                        return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture) * 1024;
                    }
                }
            }
        }
        catch (IOException)
        {
        }
        return Process.GetCurrentProcess().PeakWorkingSet64;
    }
}
