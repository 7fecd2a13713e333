namespace Hearth.Hub;

/// <summary>
/// The Hugging Face hub cache layout, shared with huggingface_hub and llama.cpp:
/// <code>
/// ROOT/models--ORG--NAME/
///   blobs/HASH                     file contents, named by the LFS SHA-256 (or git blob id); HASH.incomplete while downloading
///   snapshots/COMMIT/PATH          a relative symbolic link to ../../blobs/HASH (one per file of that revision)
///   refs/main                      the commit the branch pointed to when last fetched
/// ROOT/.locks/models--ORG--NAME/HASH.lock   held while one process downloads that blob
/// </code>
/// A blob only enters blobs/ by an atomic rename after its size and hash were checked.
/// </summary>
public sealed class HubCache
{
    /// <summary>A cache rooted at <paramref name="root"/> (e.g. <see cref="HubSettings.CacheDirectory"/>).</summary>
    /// <param name="root">The cache folder.</param>
    public HubCache(string root)
    {
        Root = root;
    }

    /// <summary>The cache folder.</summary>
    public string Root { get; }

    /// <summary>The folder a repository is kept in: <c>models--ORG--NAME</c>.</summary>
    /// <param name="repo">The repository id, <c>ORG/NAME</c>.</param>
    public static string FolderName(string repo) => "models--" + repo.Replace("/", "--", StringComparison.Ordinal);

    /// <summary>The repository id a <c>models--ORG--NAME</c> folder holds, or null for anything else.</summary>
    public static string? RepoOf(string folderName)
    {
        if (!folderName.StartsWith("models--", StringComparison.Ordinal)) return null;
        string rest = folderName["models--".Length..];
        int sep = rest.IndexOf("--", StringComparison.Ordinal);
        return sep <= 0 ? null : rest[..sep] + "/" + rest[(sep + 2)..];
    }

    /// <summary>The full path of a repository's folder.</summary>
    /// <param name="repo">The repository id, <c>ORG/NAME</c>.</param>
    public string RepoFolder(string repo) => Path.Combine(Root, FolderName(repo));

    /// <summary>Where a blob's contents are kept.</summary>
    /// <param name="repo">The repository id.</param>
    /// <param name="blob">The blob's name (its SHA-256 or git blob id).</param>
    public string BlobPath(string repo, string blob) => Path.Combine(RepoFolder(repo), "blobs", blob);

    internal string IncompletePath(string repo, string blob) => BlobPath(repo, blob) + ".incomplete";

    internal string LockPath(string repo, string blob) => Path.Combine(Root, ".locks", FolderName(repo), blob + ".lock");

    /// <summary>The folder of one revision's files.</summary>
    /// <param name="repo">The repository id.</param>
    /// <param name="commit">The commit id.</param>
    public string SnapshotFolder(string repo, string commit) => Path.Combine(RepoFolder(repo), "snapshots", commit);

    /// <summary>Where one file of a revision is (a link to its blob).</summary>
    /// <param name="repo">The repository id.</param>
    /// <param name="commit">The commit id.</param>
    /// <param name="file">The file's path in the repository (with <c>/</c>).</param>
    public string SnapshotPath(string repo, string commit, string file) =>
        Path.Combine(SnapshotFolder(repo, commit), file.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>The commit <c>refs/REVISION</c> names, or null.</summary>
    public string? ReadRef(string repo, string revision)
    {
        string path = Path.Combine(RepoFolder(repo), "refs", revision);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
    }

    internal void WriteRef(string repo, string revision, string commit)
    {
        string path = Path.Combine(RepoFolder(repo), "refs", revision);
        if (ReadRef(repo, revision) == commit) return;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string tmp = $"{path}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp";
        File.WriteAllText(tmp, commit);
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>
    /// The snapshot a revision resolves to offline: the commit in refs/REVISION, the revision itself when it is a
    /// commit with a snapshot, else the most recently written snapshot; null when the repository is not cached.
    /// </summary>
    public string? CachedCommit(string repo, string revision)
    {
        string? commit = ReadRef(repo, revision);
        if (commit != null && Directory.Exists(SnapshotFolder(repo, commit))) return commit;
        if (Directory.Exists(SnapshotFolder(repo, revision))) return revision;
        var snapshots = new DirectoryInfo(Path.Combine(RepoFolder(repo), "snapshots"));
        if (!snapshots.Exists) return null;
        return snapshots.EnumerateDirectories().OrderByDescending(d => d.LastWriteTimeUtc).FirstOrDefault()?.Name;
    }

    /// <summary>Every file of a snapshot, as repository paths with '/' separators, whose blob is present.</summary>
    public List<string> SnapshotFiles(string repo, string commit)
    {
        string folder = SnapshotFolder(repo, commit);
        var files = new List<string>();
        if (!Directory.Exists(folder)) return files;
        foreach (string path in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            // A dangling link (its blob removed) is not a cached file.
            if (!File.Exists(path) || (new FileInfo(path).LinkTarget != null && new FileInfo(path).ResolveLinkTarget(true) is not { Exists: true })) continue;
            files.Add(Path.GetRelativePath(folder, path).Replace(Path.DirectorySeparatorChar, '/'));
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>
    /// Makes snapshots/COMMIT/FILE point at blobs/BLOB with a relative link (as huggingface_hub does); where links
    /// cannot be made (some Windows setups) the blob is moved into the snapshot instead.
    /// </summary>
    internal void Link(string repo, string commit, string file, string blob)
    {
        string link = SnapshotPath(repo, commit, file);
        string blobPath = BlobPath(repo, blob);
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        var existing = new FileInfo(link);
        if (existing.LinkTarget != null)
        {
            if (existing.ResolveLinkTarget(true) is { Exists: true } t && Path.GetFullPath(t.FullName) == Path.GetFullPath(blobPath)) return;
            existing.Delete();
        }
        else if (existing.Exists)
        {
            return;
        }
        string target = Path.GetRelativePath(Path.GetDirectoryName(link)!, blobPath);
        string tmp = $"{link}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp";
        try
        {
            File.CreateSymbolicLink(tmp, target);
            File.Move(tmp, link, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            if (File.Exists(tmp)) File.Delete(tmp);
            if (!File.Exists(link)) File.Move(blobPath, link);
        }
    }

    /// <summary>The cached repositories (folders <c>models--ORG--NAME</c>).</summary>
    public IEnumerable<string> Repos()
    {
        if (!Directory.Exists(Root)) yield break;
        foreach (var d in new DirectoryInfo(Root).EnumerateDirectories("models--*").OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            if (RepoOf(d.Name) is { } repo) yield return repo;
        }
    }

    /// <summary>The commits with a snapshot folder.</summary>
    public IEnumerable<string> Snapshots(string repo)
    {
        var dir = new DirectoryInfo(Path.Combine(RepoFolder(repo), "snapshots"));
        return dir.Exists ? dir.EnumerateDirectories().Select(d => d.Name).Order(StringComparer.Ordinal) : [];
    }

    /// <summary>The blob a snapshot entry links to (its full path), or null when the entry is a plain file.</summary>
    public static string? BlobOf(string snapshotPath)
    {
        var info = new FileInfo(snapshotPath);
        if (info.LinkTarget == null) return null;
        return Path.GetFullPath(Path.Combine(Path.GetDirectoryName(snapshotPath)!, info.LinkTarget));
    }

    /// <summary>
    /// Removes snapshot entries, then every blob they linked to that no remaining entry of any snapshot uses.
    /// Returns the bytes freed.
    /// </summary>
    public long Remove(string repo, IEnumerable<string> snapshotPaths)
    {
        var candidates = new HashSet<string>(StringComparer.Ordinal);
        long freed = 0;
        foreach (string entry in snapshotPaths)
        {
            string? blob = BlobOf(entry);
            if (blob != null) candidates.Add(blob);
            else if (File.Exists(entry)) freed += new FileInfo(entry).Length;
            File.Delete(entry);
        }
        var stillUsed = new HashSet<string>(StringComparer.Ordinal);
        string snapshots = Path.Combine(RepoFolder(repo), "snapshots");
        if (Directory.Exists(snapshots))
        {
            foreach (string path in Directory.EnumerateFiles(snapshots, "*", SearchOption.AllDirectories))
            {
                if (BlobOf(path) is { } b) stillUsed.Add(b);
            }
        }
        foreach (string blob in candidates)
        {
            if (stillUsed.Contains(blob) || !File.Exists(blob)) continue;
            freed += new FileInfo(blob).Length;
            File.Delete(blob);
        }
        DeleteEmptyFolders(snapshots);
        return freed;
    }

    private static void DeleteEmptyFolders(string folder)
    {
        if (!Directory.Exists(folder)) return;
        foreach (string sub in Directory.EnumerateDirectories(folder)) DeleteEmptyFolders(sub);
        if (!Directory.EnumerateFileSystemEntries(folder).Any() && Path.GetFileName(folder) != "snapshots") Directory.Delete(folder);
    }
}
