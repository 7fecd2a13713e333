using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Hearth.Inference;
using Spectre.Console;

namespace Hearth.Cli.Commands;

/// <summary>
/// <c>hearth bench -m MODEL -t THREADS -p 512 -n 128 -r REPS [-d 0,4096,8192] [--json]</c>, measured as llama-bench does:
/// pp = one batch of p prompt tokens; tg = n single-token decoding steps; each after <c>d</c> tokens already in the cache
/// (llama-bench's <c>--n-depth</c>: the cache is filled once per depth, untimed, and every run rewinds to it); random
/// token ids; one warm-up run of each first; median, min and max over the repetitions.
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
        var depths = new Option<string>("--n-depth", "-d") { Description = "Tokens already in the cache before each test, comma-separated (e.g. 0,4096,8192)", DefaultValueFactory = _ => "0" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var cmd = new Command("bench", "Measure prompt processing (pp) and generation (tg) speed, like llama-bench.") { model, threads, pp, tg, reps, depths, json, noPull };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            string? given = parse.GetValue(model);
            string path = ModelSource.Resolve(given, parse.GetValue(noPull)) ?? BuiltInModel.EnsureExtracted();
            string name = given is null ? BuiltInModel.DisplayName : Path.GetFileName(path);
            int nPrompt = parse.GetValue(pp), nGen = parse.GetValue(tg), r = Math.Max(1, parse.GetValue(reps));
            int[] depthList = ParseDepths(parse.GetValue(depths) ?? "0");
            int maxDepth = depthList.Max();
            using var m = Model.Load(path, new ModelOptions { Threads = parse.GetValue(threads), BatchSize = Math.Max(512, nPrompt) });
            using var session = m.CreateSession(maxDepth + Math.Max(nPrompt, nGen) + 1);
            var rng = new Random(1234);
            int[] promptTokens = new int[nPrompt];
            for (int i = 0; i < nPrompt; i++) promptTokens[i] = rng.Next(m.Config.VocabSize);

            var results = new List<(int Depth, double[]? Pp, double[]? Tg)>();
            foreach (int depth in depthList)
            {
                FillTo(session, depth, rng, m.Config.VocabSize);
                double[]? ppRates = nPrompt > 0 ? Measure(r, () => RunPrompt(session, depth, promptTokens)) : null;
                double[]? tgRates = nGen > 0 ? Measure(r, () => RunGeneration(session, depth, nGen, m.Config.VocabSize)) : null;
                results.Add((depth, ppRates, tgRates));
            }
            long peak = PeakRss();
            if (parse.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                using (var w = new Utf8JsonWriter(stdout))
                {
                    w.WriteStartObject();
                    w.WriteString("model", name);
                    // The first depth's figures at the top level (the stable form); every depth under "depths".
                    if (results[0].Pp != null) WriteTest(w, "pp", nPrompt, results[0].Pp!);
                    if (results[0].Tg != null) WriteTest(w, "tg", nGen, results[0].Tg!);
                    w.WriteNumber("n_depth", results[0].Depth);
                    w.WriteStartArray("depths");
                    foreach (var (depth, ppRates, tgRates) in results)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("n_depth", depth);
                        if (ppRates != null) WriteTest(w, "pp", nPrompt, ppRates);
                        if (tgRates != null) WriteTest(w, "tg", nGen, tgRates);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteNumber("threads", m.ThreadCount);
                    w.WriteNumber("repetitions", r);
                    w.WriteNumber("kv_cache_bytes_per_token", session.KvCacheBytes / session.ContextSize);
                    w.WriteNumber("peak_rss_bytes", peak);
                    w.WriteEndObject();
                }
                stdout.WriteByte((byte)'\n');
            }
            else
            {
                var table = new Table().AddColumns("model", "threads", "test", "t/s (median)", "min", "max");
                foreach (var (depth, ppRates, tgRates) in results)
                {
                    string at = depth > 0 ? $" @ d{depth}" : "";
                    if (ppRates != null) AddRow(table, name, m.ThreadCount, $"pp{nPrompt}{at}", ppRates);
                    if (tgRates != null) AddRow(table, name, m.ThreadCount, $"tg{nGen}{at}", tgRates);
                }
                AnsiConsole.Write(table);
                Console.WriteLine($"peak RSS: {peak / (1024.0 * 1024.0):F1} MiB, KV cache: {session.KvCacheBytes / session.ContextSize} bytes/token");
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

    private static int[] ParseDepths(string text)
    {
        var list = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int d))
            {
                throw new ArgumentException($"--n-depth takes non-negative token counts separated by commas; '{part}' is not one.");
            }
            list.Add(d);
        }
        if (list.Count == 0) throw new ArgumentException("--n-depth needs at least one token count.");
        return [.. list];
    }

    /// <summary>Fills the cache with <paramref name="depth"/> random tokens (untimed), from an empty session.</summary>
    private static void FillTo(InferenceSession session, int depth, Random rng, int vocab)
    {
        session.Reset();
        if (depth == 0) return;
        var tokens = new int[depth];
        for (int i = 0; i < depth; i++) tokens[i] = rng.Next(vocab);
        session.Evaluate(tokens);
    }

    private static (int, TimeSpan) RunPrompt(InferenceSession session, int depth, int[] tokens)
    {
        session.Rewind(depth);
        var sw = Stopwatch.StartNew();
        session.Evaluate(tokens);
        return (tokens.Length, sw.Elapsed);
    }

    private static (int, TimeSpan) RunGeneration(InferenceSession session, int depth, int n, int vocab)
    {
        session.Rewind(depth);
        var one = new int[1];
        var sw = Stopwatch.StartNew();
        one[0] = 1 % vocab;
        for (int i = 0; i < n; i++)
        {
            var logits = session.Evaluate(one);
            one[0] = ArgMax(logits);
        }
        return (n, sw.Elapsed);
    }

    /// <summary>The most likely token (ties to the lowest id): the bench only needs a deterministic next token.</summary>
    private static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best]) best = i;
        }
        return best;
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
