using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Hearth.Hub;

/// <summary>
/// The subset of the Hugging Face Hub HTTP API a pull needs (what huggingface_hub's model_info and hf_hub_download use):
/// <c>GET {endpoint}/api/models/{repo}/revision/{rev}?blobs=true</c> for the commit and every file's size and LFS
/// SHA-256, and <c>GET {endpoint}/{repo}/resolve/{commit}/{path}</c> (redirects followed, Range honoured) for contents.
/// </summary>
internal sealed class HubClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly HubSettings _settings;

    public HubClient(HubSettings settings, HttpMessageHandler? handler = null)
    {
        _settings = settings;
        _http = handler != null
            ? new HttpClient(handler, disposeHandler: false)
            : new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15), AllowAutoRedirect = true });
        // Whole downloads take as long as they take; a stalled read is caught by ReadTimeout instead.
        _http.Timeout = Timeout.InfiniteTimeSpan;
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("hearth/0.1");
    }

    /// <summary>A read that brings no byte for this long counts as a dropped connection (and is retried).</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public void Dispose() => _http.Dispose();

    /// <summary>The commit a revision points at and the files of that commit.</summary>
    public async Task<(string Commit, List<HubFile> Files)> ListAsync(Uri endpoint, string repo, string revision, CancellationToken ct)
    {
        var url = new Uri(endpoint, $"api/models/{repo}/revision/{Uri.EscapeDataString(revision)}?blobs=true");
        using var request = Request(HttpMethod.Get, url);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ReadTimeout);
        using var response = await Send(request, repo, timeout.Token, ct).ConfigureAwait(false);
        ThrowForStatus(response, repo, $"revision '{revision}'");
        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
        using var doc = await JsonDocument.ParseAsync(body, cancellationToken: timeout.Token).ConfigureAwait(false);
        var root = doc.RootElement;
        string commit = root.TryGetProperty("sha", out var sha) && sha.ValueKind == JsonValueKind.String ? sha.GetString()! : revision;
        var files = new List<HubFile>();
        if (root.TryGetProperty("siblings", out var siblings) && siblings.ValueKind == JsonValueKind.Array)
        {
            foreach (var s in siblings.EnumerateArray())
            {
                if (!s.TryGetProperty("rfilename", out var name) || name.ValueKind != JsonValueKind.String) continue;
                string path = name.GetString()!;
                if (!IsSafePath(path)) continue;
                long size = s.TryGetProperty("size", out var sz) && sz.ValueKind == JsonValueKind.Number ? sz.GetInt64() : -1;
                string? git = s.TryGetProperty("blobId", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString() : null;
                string? sha256 = null;
                if (s.TryGetProperty("lfs", out var lfs) && lfs.ValueKind == JsonValueKind.Object)
                {
                    if (lfs.TryGetProperty("sha256", out var h) && h.ValueKind == JsonValueKind.String) sha256 = h.GetString();
                    if (lfs.TryGetProperty("size", out var ls) && ls.ValueKind == JsonValueKind.Number) size = ls.GetInt64();
                }
                if (sha256 != null && !IsHex(sha256, 64)) sha256 = null;
                if (git != null && !IsHex(git, 40)) git = null;
                files.Add(new HubFile(path, size, sha256?.ToLowerInvariant(), git?.ToLowerInvariant()));
            }
        }
        if (!IsSafeName(commit)) throw new HubException(HubErrorKind.Network, $"The Hub answered an invalid commit id '{commit}' for '{repo}'.");
        return (commit, files);
    }

    /// <summary>Starts the download of a file from byte <paramref name="from"/> (a Range request when above 0).</summary>
    public async Task<HttpResponseMessage> GetFileAsync(Uri endpoint, string repo, string commit, string path, long from, CancellationToken ct)
    {
        string escaped = string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
        using var request = Request(HttpMethod.Get, new Uri(endpoint, $"{repo}/resolve/{Uri.EscapeDataString(commit)}/{escaped}"));
        if (from > 0) request.Headers.Range = new RangeHeaderValue(from, null);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ReadTimeout);
        var response = await Send(request, repo, timeout.Token, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable) return response;
        try
        {
            ThrowForStatus(response, repo, $"file '{path}'");
        }
        catch
        {
            response.Dispose();
            throw;
        }
        return response;
    }

    private HttpRequestMessage Request(HttpMethod method, Uri url)
    {
        var request = new HttpRequestMessage(method, url);
        // HttpClient drops the header when a redirect leaves for another host (the Hub's CDN needs none).
        if (_settings.Token != null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _settings.Token);
        return request;
    }

    private async Task<HttpResponseMessage> Send(HttpRequestMessage request, string repo, CancellationToken timeout, CancellationToken ct)
    {
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new HubException(HubErrorKind.Network, $"Cannot reach {request.RequestUri!.GetLeftPart(UriPartial.Authority)} for '{repo}': {e.Message.TrimEnd('.')}.", e);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new HubException(HubErrorKind.Network, $"{request.RequestUri!.GetLeftPart(UriPartial.Authority)} did not answer within {ReadTimeout.TotalSeconds:0} s for '{repo}'.", e);
        }
    }

    private void ThrowForStatus(HttpResponseMessage response, string repo, string what)
    {
        if (response.IsSuccessStatusCode) return;
        int code = (int)response.StatusCode;
        string site = _settings.Endpoint.GetLeftPart(UriPartial.Authority);
        if (code is 401 or 403)
        {
            string advice = _settings.Token == null
                ? $"If it is gated, accept its terms on {site}/{repo}, then set HF_TOKEN to an access token ({site}/settings/tokens). If it is private or misspelt, check the name."
                : $"The token in HF_TOKEN was refused: check it has read access and that you accepted the repository's terms on {site}/{repo}.";
            throw new HubException(HubErrorKind.Unauthorized, $"Repository '{repo}' needs authorization (HTTP {code}): it is gated, private or does not exist. {advice}");
        }
        if (code == 404) throw new HubException(HubErrorKind.NotFound, $"Not found on {site}: '{repo}' {what} (HTTP 404). Check the repository name and revision.");
        throw new HubException(HubErrorKind.Network, $"{site} answered HTTP {code} {response.ReasonPhrase} for '{repo}' {what}.");
    }

    /// <summary>A repository path that stays inside the snapshot folder (no '..', no rooted or empty segments).</summary>
    internal static bool IsSafePath(string path)
    {
        if (path.Length == 0 || path.StartsWith('/') || path.Contains('\\', StringComparison.Ordinal) || path.Contains(':', StringComparison.Ordinal)) return false;
        foreach (string segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == "." || segment == "..") return false;
        }
        return true;
    }

    private static bool IsSafeName(string s) => s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && s != "." && s != "..";

    private static bool IsHex(string s, int length) => s.Length == length && s.All(char.IsAsciiHexDigit);
}
