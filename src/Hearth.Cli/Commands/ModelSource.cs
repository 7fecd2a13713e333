using System.CommandLine;
using Hearth.Hub;
using Spectre.Console;

namespace Hearth.Cli.Commands;

/// <summary>
/// What <c>-m</c> names: a GGUF path, or a Hugging Face model <c>ORG/REPO[:QUANT]</c> (or a file URL) taken from the
/// hub cache, pulled first when missing unless <c>--no-pull</c>. Progress goes to stderr so stdout stays the
/// command's own output (JSON included).
/// </summary>
internal static class ModelSource
{
    public static Option<bool> NoPullOption() => new("--no-pull")
    {
        Description = "With -m ORG/REPO[:QUANT]: use the model cache only, never download",
    };

    /// <summary>The path to open for <paramref name="value"/>; null stays null (the caller's default model).</summary>
    public static string? Resolve(string? value, bool noPull)
    {
        if (value == null || File.Exists(value) || !ModelReference.TryParse(value, out var reference)) return value;
        var settings = HubSettings.FromEnvironment();
        PulledModel model;
        using (var quiet = new ModelPuller(settings))
        {
            model = quiet.FindCached(reference)!;
        }
        if (model == null)
        {
            if (noPull)
            {
                throw new HubException(HubErrorKind.NotFound,
                    $"'{reference.Display}' is not in the model cache ({settings.CacheDirectory}) and --no-pull forbids downloading it; run 'hearth pull {reference.Display}' first.");
            }
            model = Pull(reference, settings, toStdout: false);
        }
        MarkUsed(settings, model);
        return model.EntryPath;
    }

    /// <summary>Pulls with a progress bar on a terminal, else one line per step.</summary>
    public static PulledModel Pull(ModelReference reference, HubSettings settings, bool toStdout)
    {
        var writer = toStdout ? Console.Out : Console.Error;
        bool redirected = toStdout ? Console.IsOutputRedirected : Console.IsErrorRedirected;
        if (redirected)
        {
            using var puller = new ModelPuller(settings, new LinePullProgress(writer));
            return puller.PullAsync(reference).GetAwaiter().GetResult();
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        return console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(),
                new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                using var puller = new ModelPuller(settings, new BarPullProgress(ctx, console));
                return await puller.PullAsync(reference).ConfigureAwait(false);
            })
            .GetAwaiter().GetResult();
    }

    /// <summary>Remembers when a cached model was last used (for <c>hearth list</c>), beside the cache's own folders.</summary>
    public static void MarkUsed(HubSettings settings, PulledModel model)
    {
        try
        {
            string path = UsedMarker(settings.CacheDirectory, model.Repo, model.Files[0]);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, model.Commit);
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only cache still serves models; only the "last used" column goes stale.
        }
    }

    public static DateTime? LastUsed(string cache, string repo, string file)
    {
        string path = UsedMarker(cache, repo, file);
        return File.Exists(path) ? File.GetLastWriteTimeUtc(path) : null;
    }

    private static string UsedMarker(string cache, string repo, string file) =>
        Path.Combine(cache, ".hearth", "used", HubCache.FolderName(repo) + "--" + file.Replace('/', '+'));
}
