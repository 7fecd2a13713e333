using System.Diagnostics;
using System.Globalization;
using Hearth.Hub;
using Spectre.Console;

namespace Hearth.Cli.Commands;

/// <summary>Pull progress as one line per step (for logs and pipes): starts, quarter marks, finishes, notices.</summary>
internal sealed class LinePullProgress(TextWriter output) : IPullProgress
{
    private readonly Dictionary<string, (long Size, long Start, int Quarter, Stopwatch Clock)> _files = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public void Message(string text)
    {
        lock (_lock) output.WriteLine(text);
    }

    public void FileStarted(string file, long size, long alreadyHave)
    {
        lock (_lock)
        {
            _files[file] = (size, alreadyHave, (int)(size > 0 ? alreadyHave * 4 / size : 0), Stopwatch.StartNew());
            output.WriteLine(alreadyHave > 0
                ? $"{file}: resuming at {Units.Bytes(alreadyHave)} of {Units.Bytes(size)}"
                : $"{file}: downloading {Units.Bytes(size)}");
        }
    }

    public void FileProgress(string file, long done)
    {
        lock (_lock)
        {
            if (!_files.TryGetValue(file, out var f) || f.Size <= 0) return;
            int quarter = (int)(done * 4 / f.Size);
            if (quarter <= f.Quarter || quarter >= 4) return;
            _files[file] = f with { Quarter = quarter };
            output.WriteLine($"{file}: {quarter * 25}% ({Units.Bytes(done)} of {Units.Bytes(f.Size)}, {Units.Rate(done - f.Start, f.Clock.Elapsed)})");
        }
    }

    public void FileFinished(string file)
    {
        lock (_lock)
        {
            if (_files.Remove(file, out var f))
            {
                output.WriteLine($"{file}: done, {Units.Bytes(f.Size)} verified ({Units.Rate(f.Size - f.Start, f.Clock.Elapsed)})");
            }
        }
    }
}

/// <summary>Pull progress as Spectre.Console bars (bytes, rate, time left) on an interactive terminal.</summary>
internal sealed class BarPullProgress(ProgressContext context, IAnsiConsole console) : IPullProgress
{
    private readonly Dictionary<string, ProgressTask> _tasks = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public void Message(string text) => console.MarkupLine($"[grey]{Markup.Escape(text)}[/]");

    public void FileStarted(string file, long size, long alreadyHave)
    {
        lock (_lock)
        {
            if (!_tasks.TryGetValue(file, out var task))
            {
                task = context.AddTask(Markup.Escape(file), maxValue: Math.Max(1, size));
                _tasks[file] = task;
            }
            task.Value = alreadyHave;
        }
    }

    public void FileProgress(string file, long done)
    {
        lock (_lock)
        {
            if (_tasks.TryGetValue(file, out var task)) task.Value = done;
        }
    }

    public void FileFinished(string file)
    {
        lock (_lock)
        {
            if (_tasks.TryGetValue(file, out var task))
            {
                task.Value = task.MaxValue;
                task.StopTask();
            }
        }
    }
}

/// <summary>Byte counts and rates as people read them.</summary>
internal static class Units
{
    public static string Bytes(long n) => n switch
    {
        < 0 => "? bytes",
        >= 1L << 30 => (n / (double)(1L << 30)).ToString("F2", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (n / (double)(1L << 20)).ToString("F1", CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => (n / 1024.0).ToString("F1", CultureInfo.InvariantCulture) + " KiB",
        _ => $"{n} B",
    };

    public static string Rate(long bytes, TimeSpan elapsed) =>
        elapsed.TotalSeconds > 0 ? Bytes((long)(bytes / elapsed.TotalSeconds)) + "/s" : "-";
}
