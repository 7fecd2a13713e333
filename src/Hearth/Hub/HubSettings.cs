namespace Hearth.Hub;

/// <summary>
/// Where models come from and where they are kept, read from the environment variables huggingface_hub and llama.cpp
/// use, so a cache filled by either is reused (and the other way round).
/// </summary>
public sealed record HubSettings
{
    /// <summary>The Hugging Face Hub.</summary>
    public const string DefaultEndpoint = "https://huggingface.co";

    /// <summary>The Hub (or a mirror): <c>HF_ENDPOINT</c>, else huggingface.co.</summary>
    public Uri Endpoint { get; init; } = new(DefaultEndpoint);

    /// <summary>An access token for gated or private repositories: <c>HF_TOKEN</c>, else the token file huggingface-cli writes.</summary>
    public string? Token { get; init; }

    /// <summary><c>HF_HUB_OFFLINE=1</c>: never touch the network, use the cache only.</summary>
    public bool Offline { get; init; }

    /// <summary>The hub cache folder holding <c>models--ORG--NAME</c> trees.</summary>
    public required string CacheDirectory { get; init; }

    /// <summary>Attempts per file before giving up (network errors, server errors, a bad hash).</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The first retry waits this long; each later one twice as long, at most 30 s.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Settings from the process environment (or <paramref name="env"/> for tests).</summary>
    public static HubSettings FromEnvironment(Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        string? endpoint = NonEmpty(env("HF_ENDPOINT"));
        string? hfHome = NonEmpty(env("HF_HOME"));
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string hfHomeDir = hfHome ?? Path.Combine(NonEmpty(env("XDG_CACHE_HOME")) ?? Path.Combine(home, ".cache"), "huggingface");
        string cache = NonEmpty(env("HEARTH_MODELS")) ?? NonEmpty(env("HF_HUB_CACHE")) ?? Path.Combine(hfHomeDir, "hub");
        string? token = NonEmpty(env("HF_TOKEN")) ?? NonEmpty(env("HUGGING_FACE_HUB_TOKEN")) ?? ReadTokenFile(NonEmpty(env("HF_TOKEN_PATH")) ?? Path.Combine(hfHomeDir, "token"));
        return new HubSettings
        {
            Endpoint = new Uri((endpoint ?? DefaultEndpoint).TrimEnd('/') + "/"),
            Token = token,
            Offline = IsTrue(env("HF_HUB_OFFLINE")),
            CacheDirectory = Path.GetFullPath(cache),
        };
    }

    private static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static bool IsTrue(string? s) => NonEmpty(s)?.ToUpperInvariant() is "1" or "TRUE" or "YES" or "ON";

    private static string? ReadTokenFile(string path)
    {
        try
        {
            return File.Exists(path) ? NonEmpty(File.ReadAllText(path)) : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
