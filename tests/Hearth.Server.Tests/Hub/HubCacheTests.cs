using System.Security.Cryptography;
using Hearth.Hub;

namespace Hearth.Server.Tests.Hub;

/// <summary>The cache layout rules on a tree made by hand the way huggingface_hub writes it, and the naming rules.</summary>
public sealed class HubCacheTests : IDisposable
{
    private const string Commit = "0123456789abcdef0123456789abcdef01234567";
    private const string OldCommit = "89abcdef0123456789abcdef0123456789abcdef";
    private readonly string _root = Directory.CreateTempSubdirectory("hearth-hf-tree-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>
    /// models--hf-user--tiny-GGUF as huggingface_hub leaves it: blobs named by SHA-256, snapshot entries as relative
    /// links (one in a sub-folder), refs/main, an older snapshot sharing one blob, and a stray .incomplete download.
    /// </summary>
    private (string Q4Sha, string Q8Sha) MakeTree()
    {
        string repo = Path.Combine(_root, "models--hf-user--tiny-GGUF");
        Directory.CreateDirectory(Path.Combine(repo, "blobs"));
        Directory.CreateDirectory(Path.Combine(repo, "refs"));
        File.WriteAllText(Path.Combine(repo, "refs", "main"), Commit);
        string q4 = Blob(repo, HubModels.F32);
        string q8 = Blob(repo, HubModels.Q8[0]);
        File.WriteAllBytes(Path.Combine(repo, "blobs", "feedface.incomplete"), [1, 2, 3]);
        Link(repo, Commit, "tiny-Q4_K_M.gguf", q4);
        Link(repo, Commit, "Q8_0/tiny-Q8_0.gguf", q8);
        Link(repo, OldCommit, "tiny-Q4_K_M.gguf", q4);
        return (q4, q8);
    }

    private static string Blob(string repo, byte[] bytes)
    {
        string sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        File.WriteAllBytes(Path.Combine(repo, "blobs", sha), bytes);
        return sha;
    }

    private static void Link(string repo, string commit, string file, string sha)
    {
        string entry = Path.Combine(repo, "snapshots", commit, file);
        Directory.CreateDirectory(Path.GetDirectoryName(entry)!);
        int depth = file.Count(c => c == '/');
        string target = string.Concat(Enumerable.Repeat("../", 2 + depth)) + "blobs/" + sha;
        File.CreateSymbolicLink(entry, target);
    }

    private ModelPuller Puller() => new(new HubSettings { CacheDirectory = _root, Offline = true });

    [Fact]
    public async Task A_tree_written_by_huggingface_hub_is_found_and_loads()
    {
        MakeTree();
        using var puller = Puller();
        Assert.Equal(["hf-user/tiny-GGUF"], puller.Cache.Repos());
        var q4 = await puller.PullAsync(Ref("hf-user/tiny-GGUF"));
        Assert.Equal(Commit, q4.Commit);
        Assert.Equal(["tiny-Q4_K_M.gguf"], q4.Files);
        Assert.Equal(HubModels.Greedy(Servers.ModelPath, 4), HubModels.Greedy(q4.EntryPath, 4));
        var q8 = puller.FindCached(Ref("hf.co/hf-user/tiny-GGUF:q8_0"));
        Assert.NotNull(q8);
        Assert.Equal(["Q8_0/tiny-Q8_0.gguf"], q8.Files);
        Assert.Equal(HubModels.Q8[0].Length, q8.Size);
        Assert.Null(puller.FindCached(Ref("hf-user/tiny-GGUF:Q6_K")));
        Assert.Null(puller.FindCached(Ref("hf-user/other-GGUF")));
    }

    [Fact]
    public void Removing_a_model_frees_only_blobs_no_other_snapshot_uses()
    {
        var (q4, q8) = MakeTree();
        var cache = new HubCache(_root);
        string blobs = Path.Combine(_root, "models--hf-user--tiny-GGUF", "blobs");
        long freed = cache.Remove("hf-user/tiny-GGUF",
            [cache.SnapshotPath("hf-user/tiny-GGUF", Commit, "tiny-Q4_K_M.gguf"), cache.SnapshotPath("hf-user/tiny-GGUF", Commit, "Q8_0/tiny-Q8_0.gguf")]);
        // The Q4 blob is still linked from the older snapshot; the Q8 one is not.
        Assert.True(File.Exists(Path.Combine(blobs, q4)));
        Assert.False(File.Exists(Path.Combine(blobs, q8)));
        Assert.Equal(HubModels.Q8[0].Length, freed);
        Assert.Equal(OldCommit, cache.CachedCommit("hf-user/tiny-GGUF", "main"));
    }

    [Fact]
    public void Links_made_by_the_cache_are_relative_like_huggingface_hubs()
    {
        var cache = new HubCache(_root);
        string blob = cache.BlobPath("a/b", "abc");
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        File.WriteAllText(blob, "x");
        cache.Link("a/b", Commit, "sub/dir/f.gguf", "abc");
        string entry = cache.SnapshotPath("a/b", Commit, "sub/dir/f.gguf");
        Assert.Equal(Path.Combine("..", "..", "..", "..", "blobs", "abc"), new FileInfo(entry).LinkTarget);
        Assert.Equal("x", File.ReadAllText(entry));
        Assert.Equal(["sub/dir/f.gguf"], cache.SnapshotFiles("a/b", Commit));
    }

    [Fact]
    public void The_cache_folder_follows_HEARTH_MODELS_then_HF_HUB_CACHE_then_HF_HOME()
    {
        static HubSettings With(params (string Key, string Value)[] vars) =>
            HubSettings.FromEnvironment(k => vars.FirstOrDefault(v => v.Key == k).Value);
        Assert.Equal("/m", With(("HEARTH_MODELS", "/m"), ("HF_HUB_CACHE", "/c"), ("HF_HOME", "/h")).CacheDirectory);
        Assert.Equal("/c", With(("HF_HUB_CACHE", "/c"), ("HF_HOME", "/h")).CacheDirectory);
        Assert.Equal(Path.Combine("/h", "hub"), With(("HF_HOME", "/h")).CacheDirectory);
        Assert.Equal(Path.Combine("/x", "huggingface", "hub"), With(("XDG_CACHE_HOME", "/x")).CacheDirectory);
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var plain = With(("HF_TOKEN_PATH", "/nonexistent/token"));
        Assert.Equal(Path.Combine(home, ".cache", "huggingface", "hub"), plain.CacheDirectory);
        Assert.Equal(new Uri("https://huggingface.co/"), plain.Endpoint);
        Assert.Null(plain.Token);
        Assert.False(plain.Offline);
        var mirror = With(("HF_ENDPOINT", "http://mirror.local:8080"), ("HF_TOKEN", "hf_x"), ("HF_HUB_OFFLINE", "1"), ("HF_HOME", "/h"));
        Assert.Equal(new Uri("http://mirror.local:8080/"), mirror.Endpoint);
        Assert.Equal("hf_x", mirror.Token);
        Assert.True(mirror.Offline);
    }

    [Theory]
    [InlineData("unsloth/Qwen3-0.6B-GGUF", "unsloth/Qwen3-0.6B-GGUF", null)]
    [InlineData("unsloth/Qwen3-0.6B-GGUF:Q4_K_M", "unsloth/Qwen3-0.6B-GGUF", "Q4_K_M")]
    [InlineData("hf.co/bartowski/SmolLM2-135M-Instruct-GGUF:q8_0", "bartowski/SmolLM2-135M-Instruct-GGUF", "q8_0")]
    [InlineData("huggingface.co/org/repo", "org/repo", null)]
    public void Hub_references_parse(string text, string repo, string? tag)
    {
        Assert.True(ModelReference.TryParse(text, out var r));
        Assert.Equal(repo, r.Repo);
        Assert.Equal(tag, r.Tag);
        Assert.Null(r.FilePath);
    }

    [Theory]
    [InlineData("model.gguf")]
    [InlineData("models/model.gguf")]
    [InlineData("/abs/path/model")]
    [InlineData("./org/repo")]
    [InlineData("a/b/c")]
    [InlineData("org/repo:bad tag")]
    [InlineData("")]
    public void Paths_are_not_hub_references(string text) => Assert.False(ModelReference.TryParse(text, out _));

    [Fact]
    public void A_file_url_names_the_repository_revision_and_path()
    {
        Assert.True(ModelReference.TryParse("https://huggingface.co/unsloth/Qwen3-0.6B-GGUF/resolve/main/Q8_0/Qwen3-0.6B-Q8_0.gguf?download=true", out var r));
        Assert.Equal("unsloth/Qwen3-0.6B-GGUF", r.Repo);
        Assert.Equal("main", r.Revision);
        Assert.Equal("Q8_0/Qwen3-0.6B-Q8_0.gguf", r.FilePath);
        Assert.Equal(new Uri("https://huggingface.co/"), r.Endpoint);
        Assert.False(ModelReference.TryParse("https://huggingface.co/unsloth/Qwen3-0.6B-GGUF", out _));
    }

    [Fact]
    public void Quant_tags_match_whole_words_and_the_default_prefers_Q4_K_M_then_Q8_0()
    {
        string[] files =
        [
            "README.md", "mmproj-Q8_0.gguf", "m-IQ4_XS.gguf", "m-Q4_K.gguf", "m-Q4_K_M.gguf", "m-UD-Q4_K_XL.gguf",
            "Q8_0/m-Q8_0-00002-of-00002.gguf", "Q8_0/m-Q8_0-00001-of-00002.gguf", "m-F16.gguf",
        ];
        string[] Pick(string? tag, string[]? from = null) => [.. QuantSelector.Select(from ?? files, f => f, tag, null, "r")];
        Assert.Equal(["m-Q4_K_M.gguf"], Pick(null));
        Assert.Equal(["m-Q4_K_M.gguf"], Pick("q4_k_m"));
        Assert.Equal(["m-Q4_K.gguf"], Pick("Q4_K"));
        Assert.Equal(["m-IQ4_XS.gguf"], Pick("IQ4_XS"));
        Assert.Equal(["m-UD-Q4_K_XL.gguf"], Pick("UD-Q4_K_XL"));
        Assert.Equal(["Q8_0/m-Q8_0-00001-of-00002.gguf", "Q8_0/m-Q8_0-00002-of-00002.gguf"], Pick("Q8_0"));
        Assert.Equal(["Q8_0/m-Q8_0-00001-of-00002.gguf", "Q8_0/m-Q8_0-00002-of-00002.gguf"], Pick(null, [.. files.Where(f => !f.Contains("Q4_K_M"))]));
        Assert.Equal(["m-F16.gguf"], Pick(null, ["m-F16.gguf", "m-Q6_K.gguf", "mmproj-F16.gguf"]));
        Assert.Throws<HubException>(() => Pick("Q4_XS"));
        Assert.Equal("UD-Q4_K_XL", QuantSelector.TagOf("m-UD-Q4_K_XL.gguf"));
        Assert.Equal("Q8_0", QuantSelector.TagOf("Q8_0/m-Q8_0-00001-of-00002.gguf"));
        Assert.Equal("BF16", QuantSelector.TagOf("Qwen3-0.6B-BF16.gguf"));
        Assert.Null(QuantSelector.TagOf("stories260K.gguf"));
    }

    private static ModelReference Ref(string text)
    {
        Assert.True(ModelReference.TryParse(text, out var r), text);
        return r;
    }
}
