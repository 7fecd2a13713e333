using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Hearth.Hub;

/// <summary>
/// Gets a model into the hub cache and says where it is. A download goes to <c>blobs/HASH.incomplete</c>, resumes
/// from there with an HTTP Range request after an interruption (in this process or a later one), is retried with
/// exponential backoff, and enters the cache by an atomic rename only once its size and SHA-256 (or git blob id)
/// match what the Hub listed; a mismatch deletes the partial file and fetches it again. One process at a time
/// downloads a blob (a lock file beside the cache), so concurrent pulls of one model share the work.
/// </summary>
public sealed class ModelPuller : IDisposable
{
    private readonly HubSettings _settings;
    private readonly HubClient _client;
    private readonly IPullProgress _progress;

    /// <summary>A puller for one cache and Hub.</summary>
    /// <param name="settings">Where models come from and are kept (<see cref="HubSettings.FromEnvironment"/>).</param>
    /// <param name="progress">Told about each file's download, or null.</param>
    /// <param name="handler">The HTTP handler to use (a proxy, a test server), or null for the default.</param>
    public ModelPuller(HubSettings settings, IPullProgress? progress = null, HttpMessageHandler? handler = null)
    {
        _settings = settings;
        _client = new HubClient(settings, handler);
        _progress = progress ?? NoPullProgress.Instance;
        Cache = new HubCache(settings.CacheDirectory);
    }

    /// <summary>The cache models are pulled into.</summary>
    public HubCache Cache { get; }

    /// <summary>Closes the HTTP client.</summary>
    public void Dispose() => _client.Dispose();

    /// <summary>
    /// The model if the cache holds it (no network): <c>-m REPO:QUANT</c> uses it at once. Null when missing.
    /// </summary>
    public PulledModel? FindCached(ModelReference reference)
    {
        string? commit = Cache.CachedCommit(reference.Repo, reference.Revision);
        if (commit == null) return null;
        var files = Cache.SnapshotFiles(reference.Repo, commit);
        IReadOnlyList<string> chosen;
        try
        {
            chosen = QuantSelector.Select(files, f => f, reference.Tag, reference.FilePath, reference.Repo);
        }
        catch (HubException)
        {
            return null;
        }
        // Every part of a split must be present (a pull interrupted between parts is not a cached model).
        if (GgufParts(chosen) is int expected && chosen.Count != expected) return null;
        return Describe(reference.Repo, commit, chosen);
    }

    /// <summary>The cached model, else a pull (unless <paramref name="allowPull"/> is false: then a clear error).</summary>
    public async Task<PulledModel> ResolveAsync(ModelReference reference, bool allowPull, CancellationToken ct = default)
    {
        if (FindCached(reference) is { } cached) return cached;
        if (!allowPull)
        {
            throw new HubException(HubErrorKind.NotFound,
                $"'{reference.Display}' is not in the model cache ({_settings.CacheDirectory}); run 'hearth pull {reference.Display}' first (or drop --no-pull).");
        }
        return await PullAsync(reference, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Lists the repository on the Hub, picks the file(s) for the reference and downloads what the cache lacks.
    /// Offline (HF_HUB_OFFLINE, or the Hub unreachable) it answers from the cache, or says what is missing.
    /// </summary>
    public async Task<PulledModel> PullAsync(ModelReference reference, CancellationToken ct = default)
    {
        if (_settings.Offline)
        {
            return FindCached(reference) ?? throw new HubException(HubErrorKind.Offline,
                $"Offline (HF_HUB_OFFLINE is set) and '{reference.Display}' is not in the model cache ({_settings.CacheDirectory}). " +
                "Unset HF_HUB_OFFLINE and pull it while online, or copy its models--… folder into the cache.");
        }
        var endpoint = reference.Endpoint ?? _settings.Endpoint;
        _progress.Message($"resolving {reference.Display} on {endpoint.GetLeftPart(UriPartial.Authority)}");
        string commit;
        List<HubFile> files;
        try
        {
            (commit, files) = await ListWithRetries(endpoint, reference, ct).ConfigureAwait(false);
        }
        catch (HubException e) when (e.Kind == HubErrorKind.Network)
        {
            if (FindCached(reference) is { } cached)
            {
                _progress.Message($"the Hub is unreachable ({e.Message}); using the cached {cached.Display}");
                return cached;
            }
            throw new HubException(HubErrorKind.Offline,
                $"{e.Message} The model cache ({_settings.CacheDirectory}) has no '{reference.Display}' either. " +
                "Check the network (or HF_ENDPOINT), or copy the model into the cache.", e);
        }
        var chosen = QuantSelector.Select(files, f => f.Path, reference.Tag, reference.FilePath, reference.Repo);
        if (GgufParts(chosen.Select(f => f.Path).ToList()) is int parts && parts != chosen.Count)
        {
            throw new HubException(HubErrorKind.NotFound,
                $"'{reference.Display}' is split in {parts} parts but the repository lists {chosen.Count} of them: {string.Join(", ", chosen.Select(f => f.Path))}.");
        }
        foreach (var f in chosen)
        {
            await EnsureBlobAsync(endpoint, reference.Repo, commit, f, ct).ConfigureAwait(false);
            Cache.Link(reference.Repo, commit, f.Path, f.BlobName);
        }
        if (!IsCommitId(reference.Revision)) Cache.WriteRef(reference.Repo, reference.Revision, commit);
        return Describe(reference.Repo, commit, chosen.Select(f => f.Path).ToList());
    }

    private async Task<(string, List<HubFile>)> ListWithRetries(Uri endpoint, ModelReference reference, CancellationToken ct)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await _client.ListAsync(endpoint, reference.Repo, reference.Revision, ct).ConfigureAwait(false);
            }
            // A refused connection means no network: fail over to the cache quickly instead of backing off.
            catch (HubException e) when (e.Kind == HubErrorKind.Network && attempt < Math.Min(2, _settings.MaxAttempts))
            {
                await Backoff(attempt, e.Message, ct).ConfigureAwait(false);
            }
        }
    }

    private PulledModel Describe(string repo, string commit, IReadOnlyList<string> files)
    {
        var paths = files.Select(f => Cache.SnapshotPath(repo, commit, f)).ToList();
        long size = 0;
        foreach (string p in paths)
        {
            var info = new FileInfo(p);
            if (info.LinkTarget != null && info.ResolveLinkTarget(true) is FileInfo t) info = t;
            size += info.Exists ? info.Length : 0;
        }
        return new PulledModel(repo, commit, files, paths, size);
    }

    /// <summary>The part count a split file's name states, or null for an ordinary file.</summary>
    private static int? GgufParts(IReadOnlyList<string> files) =>
        files.Count > 0 && Gguf.GgufSplit.TryParsePath(files[0], out _, out _, out int count) ? count : null;

    private static bool IsCommitId(string revision) => revision.Length == 40 && revision.All(char.IsAsciiHexDigit);

    private async Task EnsureBlobAsync(Uri endpoint, string repo, string commit, HubFile file, CancellationToken ct)
    {
        string blob = Cache.BlobPath(repo, file.BlobName);
        if (BlobPresent(blob, file))
        {
            _progress.Message($"{file.Path}: already in the cache");
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        await using var held = await AcquireLock(Cache.LockPath(repo, file.BlobName), file.Path, ct).ConfigureAwait(false);
        // Another pull may have finished it while this one waited for the lock.
        if (BlobPresent(blob, file))
        {
            _progress.Message($"{file.Path}: already in the cache");
            return;
        }
        string partial = Cache.IncompletePath(repo, file.BlobName);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await DownloadAsync(endpoint, repo, commit, file, partial, ct).ConfigureAwait(false);
                string? problem = Verify(partial, file);
                if (problem == null)
                {
                    File.Move(partial, blob, overwrite: true);
                    _progress.FileFinished(file.Path);
                    return;
                }
                File.Delete(partial);
                string note = $"{file.Path}: {problem}; deleted the partial download {Path.GetFileName(partial)}";
                if (attempt >= _settings.MaxAttempts) throw new HubException(HubErrorKind.Integrity, note + $", giving up after {attempt} attempts.");
                _progress.Message(note + ", fetching it again");
            }
            catch (HubException e) when (e.Kind == HubErrorKind.Network && attempt < _settings.MaxAttempts)
            {
                await Backoff(attempt, e.Message, ct).ConfigureAwait(false);
            }
            catch (IOException e) when (IsDiskFull(e))
            {
                throw new HubException(HubErrorKind.DiskFull,
                    $"The disk holding the model cache ({_settings.CacheDirectory}) is full while writing {file.Path} ({file.Size} bytes); " +
                    $"the partial download stays in {partial} and resumes later. Free space (hearth rm), or set HEARTH_MODELS to another disk.", e);
            }
            catch (IOException e) when (attempt < _settings.MaxAttempts)
            {
                await Backoff(attempt, $"{file.Path}: the download was interrupted ({e.Message})", ct).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new HubException(HubErrorKind.Network,
                    $"{file.Path}: the download was interrupted ({e.Message}). Gave up after {attempt} attempts; the partial download stays in {partial} and resumes on the next pull.", e);
            }
            catch (HubException e) when (e.Kind == HubErrorKind.Network)
            {
                throw new HubException(HubErrorKind.Network, $"{e.Message} Gave up after {attempt} attempts; the partial download stays in {partial} and resumes on the next pull.", e);
            }
        }
    }

    private async Task Backoff(int attempt, string why, CancellationToken ct)
    {
        var delay = TimeSpan.FromTicks(Math.Min(_settings.RetryDelay.Ticks << Math.Min(attempt - 1, 16), TimeSpan.FromSeconds(30).Ticks));
        _progress.Message($"{why}; retrying in {delay.TotalSeconds:0.#} s (attempt {attempt + 1} of {_settings.MaxAttempts})");
        await Task.Delay(delay, ct).ConfigureAwait(false);
    }

    private static bool BlobPresent(string blob, HubFile file) => File.Exists(blob) && (file.Size < 0 || new FileInfo(blob).Length == file.Size);

    private static bool IsDiskFull(IOException e) => e.HResult is 28 or 0x70 or unchecked((int)0x80070070) or unchecked((int)0x80070027);

    /// <summary>Downloads into <paramref name="partial"/>, continuing from its current length when the server honours Range.</summary>
    private async Task DownloadAsync(Uri endpoint, string repo, string commit, HubFile file, string partial, CancellationToken ct)
    {
        long have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        if (file.Size >= 0 && have > file.Size)
        {
            File.Delete(partial);
            have = 0;
        }
        if (file.Size >= 0 && have == file.Size) return;
        EnsureSpace(file, have);
        using var response = await _client.GetFileAsync(endpoint, repo, commit, file.Path, have, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // The partial file is already complete (or not what the server has): verification decides.
            return;
        }
        bool resumed = have > 0 && response.StatusCode == HttpStatusCode.PartialContent
            && response.Content.Headers.ContentRange is { From: long from } && from == have;
        if (!resumed) have = 0;
        _progress.FileStarted(file.Path, file.Size, have);
        await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using var output = new FileStream(partial, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        byte[] buffer = new byte[1 << 20];
        long done = have;
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(ct);
        while (true)
        {
            stall.CancelAfter(_client.ReadTimeout);
            int n;
            try
            {
                n = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
            {
                throw new IOException($"no data for {_client.ReadTimeout.TotalSeconds:0} s", e);
            }
            catch (HttpRequestException e)
            {
                throw new IOException(e.Message, e);
            }
            if (n == 0) break;
            await output.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
            done += n;
            _progress.FileProgress(file.Path, done);
        }
        await output.FlushAsync(ct).ConfigureAwait(false);
        // On disk before the rename makes it a blob: a crash after the rename must not leave a hole.
        output.Flush(flushToDisk: true);
        if (file.Size >= 0 && done < file.Size) throw new IOException($"the connection closed after {done} of {file.Size} bytes");
    }

    private void EnsureSpace(HubFile file, long have)
    {
        if (file.Size < 0) return;
        try
        {
            var drive = new DriveInfo(Path.GetPathRoot(Path.GetFullPath(_settings.CacheDirectory))!);
            long need = file.Size - have;
            if (drive.IsReady && drive.AvailableFreeSpace < need)
            {
                throw new HubException(HubErrorKind.DiskFull,
                    $"{file.Path} needs {need} more bytes but the disk holding the model cache ({_settings.CacheDirectory}) has {drive.AvailableFreeSpace} free. " +
                    "Free space (hearth rm), or set HEARTH_MODELS to another disk.");
            }
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            // The free space is unknown on this platform: the write itself will say if the disk fills.
        }
    }

    /// <summary>Null when the file's size and hash match the listing, else what differs.</summary>
    private static string? Verify(string partial, HubFile file)
    {
        long length = new FileInfo(partial).Length;
        if (file.Size >= 0 && length != file.Size) return $"size mismatch: expected {file.Size} bytes, got {length}";
        using var stream = new FileStream(partial, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        if (file.Sha256 != null)
        {
            string actual = Convert.ToHexStringLower(SHA256.HashData(stream));
            return actual == file.Sha256 ? null : $"SHA-256 mismatch: expected {file.Sha256}, got {actual}";
        }
        if (file.GitOid != null)
        {
            using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
#pragma warning disable CA5350 // git names blobs by SHA-1; this is an integrity check against the Hub's listing, not security.
            sha1.AppendData(Encoding.ASCII.GetBytes($"blob {length}\0"));
#pragma warning restore CA5350
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = stream.Read(buffer)) > 0) sha1.AppendData(buffer, 0, n);
            string actual = Convert.ToHexStringLower(sha1.GetHashAndReset());
            return actual == file.GitOid ? null : $"git blob id mismatch: expected {file.GitOid}, got {actual}";
        }
        return null;
    }

    /// <summary>Holds the blob's lock file open exclusively; waits (saying so) while another pull holds it.</summary>
    private async Task<FileStream> AcquireLock(string path, string file, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        bool told = false;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
            }
            catch (IOException) when (!ct.IsCancellationRequested)
            {
                if (!told) _progress.Message($"{file}: another pull is downloading it; waiting");
                told = true;
                await Task.Delay(100, ct).ConfigureAwait(false);
            }
        }
    }
}
