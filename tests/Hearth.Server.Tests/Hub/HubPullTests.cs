using System.Collections.Concurrent;
using System.Security.Cryptography;
using Hearth.Hub;

namespace Hearth.Server.Tests.Hub;

/// <summary>Pulls from a real HTTP server speaking the Hub API: layout, resume, integrity, auth, offline, concurrency.</summary>
public sealed class HubPullTests : IAsyncLifetime
{
    private readonly string _cache = Directory.CreateTempSubdirectory("hearth-hub-cache-").FullName;
    private FakeHub _hub = null!;

    public async Task InitializeAsync()
    {
        _hub = await FakeHub.StartAsync();
        HubModels.AddTo(_hub);
        HubModels.AddTo(_hub, "hearth-test/gated-GGUF", token: "hf_secret");
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        Directory.Delete(_cache, recursive: true);
    }

    private HubSettings Settings(string? token = null, bool offline = false, Uri? endpoint = null, int attempts = 5) => new()
    {
        Endpoint = endpoint ?? _hub.Endpoint,
        CacheDirectory = _cache,
        Token = token,
        Offline = offline,
        MaxAttempts = attempts,
        RetryDelay = TimeSpan.FromMilliseconds(10),
    };

    private static ModelReference Ref(string text)
    {
        Assert.True(ModelReference.TryParse(text, out var r), text);
        return r;
    }

    private async Task<(PulledModel Model, List<string> Messages)> Pull(string reference, HubSettings? settings = null)
    {
        var progress = new RecordingProgress();
        using var puller = new ModelPuller(settings ?? Settings(), progress);
        var model = await puller.PullAsync(Ref(reference));
        return (model, progress.Messages.ToList());
    }

    private string RepoFolder(string repo = HubModels.Repo) => Path.Combine(_cache, HubCache.FolderName(repo));

    [Fact]
    public async Task A_pull_without_a_tag_takes_Q8_0_in_all_its_parts_into_the_hub_layout_and_runs()
    {
        var (model, _) = await Pull(HubModels.Repo);
        var repo = _hub.Repos[HubModels.Repo];
        Assert.Equal(HubModels.Q8Parts, model.Files);
        Assert.Equal("Q8_0", model.Tag);
        Assert.Equal($"{HubModels.Repo}:Q8_0", model.Display);
        Assert.Equal(repo.Commit, model.Commit);
        Assert.Equal(repo.Commit, File.ReadAllText(Path.Combine(RepoFolder(), "refs", "main")));
        for (int i = 0; i < 3; i++)
        {
            // snapshots/COMMIT/FILE -> ../../blobs/SHA256, the blob holding exactly the served bytes.
            string entry = Path.Combine(RepoFolder(), "snapshots", repo.Commit, HubModels.Q8Parts[i]);
            Assert.Equal(entry, model.Paths[i]);
            string sha = repo.Files[HubModels.Q8Parts[i]].Sha256;
            Assert.Equal(Path.Combine("..", "..", "blobs", sha), new FileInfo(entry).LinkTarget);
            Assert.Equal(HubModels.Q8[i], File.ReadAllBytes(Path.Combine(RepoFolder(), "blobs", sha)));
        }
        Assert.Empty(Directory.GetFiles(Path.Combine(RepoFolder(), "blobs"), "*.incomplete"));
        Assert.Equal(HubModels.Q8.Sum(b => (long)b.Length), model.Size);
        // The pulled split model generates what the unsplit local file does.
        Assert.Equal(HubModels.Greedy(HubModels.Q8WholePath), HubModels.Greedy(model.EntryPath));
    }

    [Fact]
    public async Task A_tag_matches_case_insensitively_and_a_second_pull_downloads_nothing()
    {
        var (first, _) = await Pull($"{HubModels.Repo}:f32");
        Assert.Equal([HubModels.F32File], first.Files);
        Assert.Equal(HubModels.F32, File.ReadAllBytes(first.EntryPath));
        Assert.Equal(1, _hub.DownloadsOf(HubModels.F32File));
        var (second, messages) = await Pull($"{HubModels.Repo}:F32");
        Assert.Equal(first.Paths, second.Paths);
        Assert.Equal(first.Commit, second.Commit);
        Assert.Equal(1, _hub.DownloadsOf(HubModels.F32File));
        Assert.Contains(messages, m => m.Contains("already in the cache", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_tag_lists_what_the_repository_has()
    {
        var e = await Assert.ThrowsAsync<HubException>(() => Pull($"{HubModels.Repo}:Q5_K_S"));
        Assert.Equal(HubErrorKind.NotFound, e.Kind);
        Assert.Contains("Q5_K_S", e.Message);
        Assert.Contains("F32, Q8_0", e.Message);
    }

    [Fact]
    public async Task A_file_url_names_one_file_and_a_split_part_brings_its_siblings()
    {
        var (one, _) = await Pull($"{_hub.Endpoint}{HubModels.Repo}/resolve/main/{HubModels.F32File}");
        Assert.Equal([HubModels.F32File], one.Files);
        var (split, _) = await Pull($"{_hub.Endpoint}{HubModels.Repo}/blob/main/{HubModels.Q8Parts[1]}");
        Assert.Equal(HubModels.Q8Parts, split.Files);
    }

    [Fact]
    public async Task A_download_cut_mid_file_resumes_with_a_range_request()
    {
        int half = HubModels.F32.Length / 2;
        _hub.CutOnce[HubModels.F32File] = half;
        var (model, messages) = await Pull($"{HubModels.Repo}:F32");
        Assert.Equal(HubModels.F32, File.ReadAllBytes(model.EntryPath));
        Assert.Contains(messages, m => m.Contains("interrupted", StringComparison.Ordinal) && m.Contains("retrying", StringComparison.Ordinal));
        // The retry asked only for the rest: from what had arrived (at most what was sent before the cut).
        long from = Assert.Single(_hub.ResumedFrom);
        Assert.InRange(from, 1, half);
    }

    [Fact]
    public async Task A_pull_that_gave_up_leaves_its_partial_file_and_the_next_pull_resumes_it()
    {
        int cut = HubModels.F32.Length / 3;
        _hub.CutOnce[HubModels.F32File] = cut;
        var e = await Assert.ThrowsAsync<HubException>(() => Pull($"{HubModels.Repo}:F32", Settings(attempts: 1)));
        Assert.Equal(HubErrorKind.Network, e.Kind);
        string sha = _hub.Repos[HubModels.Repo].Files[HubModels.F32File].Sha256;
        string partial = Path.Combine(RepoFolder(), "blobs", sha + ".incomplete");
        long kept = new FileInfo(partial).Length;
        Assert.InRange(kept, 1, cut);
        Assert.False(File.Exists(Path.Combine(RepoFolder(), "blobs", sha)));
        Assert.Contains(partial, e.Message);

        var (model, _) = await Pull($"{HubModels.Repo}:F32");
        Assert.Equal(HubModels.F32, File.ReadAllBytes(model.EntryPath));
        Assert.Equal(kept, Assert.Single(_hub.ResumedFrom));
        Assert.False(File.Exists(partial));
    }

    [Fact]
    public async Task A_corrupted_byte_fails_the_hash_deletes_only_the_partial_file_and_is_fetched_again()
    {
        var (q8, _) = await Pull($"{HubModels.Repo}:Q8_0");
        _hub.CorruptOnce[HubModels.F32File] = 1000;
        var (model, messages) = await Pull($"{HubModels.Repo}:F32");
        Assert.Equal(HubModels.F32, File.ReadAllBytes(model.EntryPath));
        Assert.Equal(2, _hub.DownloadsOf(HubModels.F32File));
        string note = Assert.Single(messages, m => m.Contains("mismatch", StringComparison.Ordinal));
        Assert.Contains("SHA-256 mismatch", note);
        Assert.Contains("deleted the partial download", note);
        // The other model's blobs were not touched.
        foreach (string p in q8.Paths) Assert.True(File.Exists(p));
    }

    [Fact]
    public async Task A_hash_that_never_matches_gives_up_with_an_integrity_error_and_caches_nothing()
    {
        _hub.CorruptOnce[HubModels.F32File] = 10;
        var e = await Assert.ThrowsAsync<HubException>(() => Pull($"{HubModels.Repo}:F32", Settings(attempts: 1)));
        Assert.Equal(HubErrorKind.Integrity, e.Kind);
        Assert.Empty(Directory.GetFiles(Path.Combine(RepoFolder(), "blobs")));
    }

    [Fact]
    public async Task A_gated_repository_says_to_set_HF_TOKEN_and_pulls_with_it()
    {
        var e = await Assert.ThrowsAsync<HubException>(() => Pull("hearth-test/gated-GGUF:F32"));
        Assert.Equal(HubErrorKind.Unauthorized, e.Kind);
        Assert.Contains("HTTP 401", e.Message);
        Assert.Contains("HF_TOKEN", e.Message);
        Assert.False(Directory.Exists(Path.Combine(RepoFolder("hearth-test/gated-GGUF"), "blobs")));

        var wrong = await Assert.ThrowsAsync<HubException>(() => Pull("hearth-test/gated-GGUF:F32", Settings(token: "hf_wrong")));
        Assert.Contains("token in HF_TOKEN was refused", wrong.Message);

        var (model, _) = await Pull("hearth-test/gated-GGUF:F32", Settings(token: "hf_secret"));
        Assert.Equal(HubModels.F32, File.ReadAllBytes(model.EntryPath));
    }

    [Fact]
    public async Task Offline_a_cached_model_is_used_without_the_network_and_a_missing_one_is_named()
    {
        var (pulled, _) = await Pull($"{HubModels.Repo}:Q8_0");
        int requests = _hub.Log.Count;
        var (offline, _) = await Pull($"{HubModels.Repo}:q8_0", Settings(offline: true));
        Assert.Equal(pulled.Paths, offline.Paths);
        Assert.Equal(requests, _hub.Log.Count);

        var e = await Assert.ThrowsAsync<HubException>(() => Pull($"{HubModels.Repo}:F32", Settings(offline: true)));
        Assert.Equal(HubErrorKind.Offline, e.Kind);
        Assert.Contains($"{HubModels.Repo}:F32", e.Message);
        Assert.Contains("HF_HUB_OFFLINE", e.Message);
        Assert.Contains(_cache, e.Message);
        Assert.Equal(requests, _hub.Log.Count);
    }

    [Fact]
    public async Task An_unreachable_hub_falls_back_to_the_cache_or_names_what_is_missing()
    {
        var (pulled, _) = await Pull($"{HubModels.Repo}:Q8_0");
        var closed = new Uri($"http://127.0.0.1:{ClosedPort()}/");
        var (fallback, messages) = await Pull($"{HubModels.Repo}:Q8_0", Settings(endpoint: closed));
        Assert.Equal(pulled.Paths, fallback.Paths);
        Assert.Contains(messages, m => m.Contains("unreachable", StringComparison.Ordinal));

        var e = await Assert.ThrowsAsync<HubException>(() => Pull($"{HubModels.Repo}:F32", Settings(endpoint: closed)));
        Assert.Equal(HubErrorKind.Offline, e.Kind);
        Assert.Contains($"{HubModels.Repo}:F32", e.Message);
    }

    [Fact]
    public async Task Two_concurrent_pulls_of_one_model_download_each_file_once()
    {
        _hub.ChunkDelay = TimeSpan.FromMilliseconds(2);
        var both = await Task.WhenAll(Pull($"{HubModels.Repo}:Q8_0"), Pull($"{HubModels.Repo}:Q8_0"));
        Assert.Equal(both[0].Model.Paths, both[1].Model.Paths);
        foreach (string part in HubModels.Q8Parts) Assert.Equal(1, _hub.DownloadsOf(part));
        for (int i = 0; i < 3; i++) Assert.Equal(HubModels.Q8[i], File.ReadAllBytes(both[0].Model.Paths[i]));
    }

    [Fact]
    public async Task Resolve_uses_the_cache_at_once_and_refuses_to_pull_when_told_not_to()
    {
        using var puller = new ModelPuller(Settings());
        var e = await Assert.ThrowsAsync<HubException>(() => puller.ResolveAsync(Ref($"{HubModels.Repo}:F32"), allowPull: false));
        Assert.Contains("hearth pull", e.Message);
        Assert.Empty(_hub.Log);
        var pulled = await puller.ResolveAsync(Ref($"{HubModels.Repo}:F32"), allowPull: true);
        int requests = _hub.Log.Count;
        var again = await puller.ResolveAsync(Ref($"{HubModels.Repo}:F32"), allowPull: false);
        Assert.Equal(pulled.Paths, again.Paths);
        Assert.Equal(requests, _hub.Log.Count);
    }

    private static int ClosedPort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        int port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private sealed class RecordingProgress : IPullProgress
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public void Message(string text) => Messages.Enqueue(text);

        public void FileStarted(string file, long size, long alreadyHave) => Messages.Enqueue($"start {file} {size} {alreadyHave}");

        public void FileProgress(string file, long done)
        {
        }

        public void FileFinished(string file) => Messages.Enqueue($"done {file}");
    }
}
