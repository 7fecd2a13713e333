using System.CommandLine;
using Hearth.Hub;

namespace Hearth.Cli.Commands;

/// <summary>
/// <c>hearth rm ORG/REPO[:QUANT]</c>: removes a model from the cache: its snapshot entries in every snapshot, then the
/// blobs no remaining entry uses. Without a tag the whole repository folder goes.
/// </summary>
internal static class RmCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("model") { Description = "ORG/REPO[:QUANT] as 'hearth list' shows it" };
        var cmd = new Command("rm", "Remove a model from the model cache (blobs other snapshots still use are kept).") { name };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            string text = parse.GetValue(name)!;
            if (!ModelReference.TryParse(text, out var reference))
            {
                throw new ArgumentException($"'{text}' is not a cached model name; use ORG/REPO[:QUANT] as 'hearth list' shows it.");
            }
            var settings = HubSettings.FromEnvironment();
            var cache = new HubCache(settings.CacheDirectory);
            string folder = cache.RepoFolder(reference.Repo);
            if (!Directory.Exists(folder)) throw new HubException(HubErrorKind.NotFound, $"'{reference.Repo}' is not in the model cache ({settings.CacheDirectory}).");
            if (reference.Tag == null && reference.FilePath == null)
            {
                long size = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                    .Where(f => new FileInfo(f).LinkTarget == null).Sum(f => new FileInfo(f).Length);
                Directory.Delete(folder, recursive: true);
                Console.WriteLine($"removed {reference.Repo} ({Units.Bytes(size)} freed)");
                return 0;
            }
            var entries = new List<string>();
            foreach (string commit in cache.Snapshots(reference.Repo))
            {
                var files = cache.SnapshotFiles(reference.Repo, commit);
                if (files.Count == 0) continue;
                try
                {
                    foreach (string f in QuantSelector.Select(files, f => f, reference.Tag, reference.FilePath, reference.Repo))
                    {
                        entries.Add(cache.SnapshotPath(reference.Repo, commit, f));
                    }
                }
                catch (HubException)
                {
                    // This snapshot holds no such quantization.
                }
            }
            if (entries.Count == 0) throw new HubException(HubErrorKind.NotFound, $"'{reference.Display}' is not in the model cache ({settings.CacheDirectory}); 'hearth list' shows what is.");
            long freed = cache.Remove(reference.Repo, entries);
            Console.WriteLine($"removed {reference.Display}: {entries.Count} snapshot entr{(entries.Count == 1 ? "y" : "ies")}, {Units.Bytes(freed)} freed");
            return 0;
        }));
        return cmd;
    }
}
