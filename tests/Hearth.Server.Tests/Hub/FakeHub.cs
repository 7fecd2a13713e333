#pragma warning disable CA5350 // SHA-1 is how git names blobs; the fake Hub reports the same ids.
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Hearth.Server.Tests.Hub;

/// <summary>
/// A real HTTP server on 127.0.0.1 implementing the part of the Hugging Face Hub API a pull uses:
/// <c>GET /api/models/{repo}/revision/{rev}?blobs=true</c> (commit, siblings with size, blobId and LFS sha256) and
/// <c>GET /{repo}/resolve/{rev}/{path}</c>, which for LFS files redirects to a CDN-like URL that serves the bytes with
/// Range support and the X-Repo-Commit / X-Linked-Etag / X-Linked-Size headers. Faults can be injected per file.
/// </summary>
internal sealed class FakeHub : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeHub(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    /// <summary>Repositories by id.</summary>
    public ConcurrentDictionary<string, FakeRepo> Repos { get; } = new(StringComparer.Ordinal);

    /// <summary>Every request: "METHOD PATH [Range]".</summary>
    public ConcurrentQueue<string> Log { get; } = new();

    /// <summary>File path → bytes to send before the connection is cut (once).</summary>
    public ConcurrentDictionary<string, int> CutOnce { get; } = new(StringComparer.Ordinal);

    /// <summary>File path → index of a byte flipped in the next response (once).</summary>
    public ConcurrentDictionary<string, int> CorruptOnce { get; } = new(StringComparer.Ordinal);

    /// <summary>A pause after each 4 KiB chunk, so concurrent downloads overlap.</summary>
    public TimeSpan ChunkDelay { get; set; }

    /// <summary>Content requests per file path (resolve + CDN, counted once per download).</summary>
    public ConcurrentDictionary<string, int> Downloads { get; } = new(StringComparer.Ordinal);

    public static async Task<FakeHub> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        FakeHub? hub = null;
        app.Use(async (context, next) =>
        {
            hub!.Log.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString} {context.Request.Headers.Range}".TrimEnd());
            await next(context);
        });
        app.MapGet("/api/models/{org}/{name}/revision/{rev}", (HttpContext c, string org, string name, string rev) => hub!.Listing(c, $"{org}/{name}", rev));
        app.MapGet("/{org}/{name}/resolve/{rev}/{**path}", (HttpContext c, string org, string name, string rev, string path) => hub!.Resolve(c, $"{org}/{name}", rev, path));
        app.MapGet("/cdn/{org}/{name}/{sha}", (HttpContext c, string org, string name, string sha) => hub!.Cdn(c, $"{org}/{name}", sha));
        await app.StartAsync();
        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        hub = new FakeHub(app, new Uri(bound.TrimEnd('/') + "/"));
        return hub;
    }

    public FakeRepo Add(string id, string? token = null)
    {
        var repo = new FakeRepo(id, token);
        Repos[id] = repo;
        return repo;
    }

    public int DownloadsOf(string path) => Downloads.GetValueOrDefault(path);

    /// <summary>The start of every Range request made to resolve a file.</summary>
    public IEnumerable<long> ResumedFrom => Log
        .Where(l => l.Contains("/resolve/", StringComparison.Ordinal) && l.Contains(" bytes=", StringComparison.Ordinal))
        .Select(l => long.Parse(l[(l.LastIndexOf("bytes=", StringComparison.Ordinal) + 6)..].TrimEnd('-'), System.Globalization.CultureInfo.InvariantCulture));

    private async Task Listing(HttpContext c, string id, string rev)
    {
        if (!Authorize(c, id, out var repo)) return;
        if (rev != "main" && rev != repo!.Commit)
        {
            await Error(c, 404, $"Invalid rev id: {rev}");
            return;
        }
        c.Response.ContentType = "application/json";
        using var json = new Utf8JsonWriter(c.Response.BodyWriter);
        json.WriteStartObject();
        json.WriteString("id", id);
        json.WriteString("sha", repo!.Commit);
        json.WriteStartArray("siblings");
        foreach (var (path, file) in repo.Files.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            json.WriteStartObject();
            json.WriteString("rfilename", path);
            json.WriteNumber("size", file.Bytes.Length);
            json.WriteString("blobId", file.GitOid);
            if (file.Lfs)
            {
                json.WriteStartObject("lfs");
                json.WriteString("sha256", file.Sha256);
                json.WriteNumber("size", file.Bytes.Length);
                json.WriteNumber("pointerSize", 134);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync();
    }

    private async Task Resolve(HttpContext c, string id, string rev, string path)
    {
        if (!Authorize(c, id, out var repo)) return;
        if ((rev != "main" && rev != repo!.Commit) || !repo!.Files.TryGetValue(path, out var file))
        {
            c.Response.Headers["X-Error-Code"] = "EntryNotFound";
            await Error(c, 404, $"Entry not found: {path}");
            return;
        }
        c.Response.Headers["X-Repo-Commit"] = repo.Commit;
        if (file.Lfs)
        {
            // As the Hub does: LFS content lives elsewhere; the redirect carries the linked etag and size.
            c.Response.Headers["X-Linked-Etag"] = $"\"{file.Sha256}\"";
            c.Response.Headers["X-Linked-Size"] = file.Bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
            c.Response.Headers.ETag = $"\"{file.GitOid}\"";
            c.Response.Redirect($"/cdn/{id}/{file.Sha256}?file={Uri.EscapeDataString(path)}");
            return;
        }
        c.Response.Headers.ETag = $"\"{file.GitOid}\"";
        await Serve(c, path, file);
    }

    private async Task Cdn(HttpContext c, string id, string sha)
    {
        var repo = Repos.GetValueOrDefault(id);
        var entry = repo?.Files.FirstOrDefault(kv => kv.Value.Sha256 == sha);
        if (repo == null || entry?.Value == null)
        {
            c.Response.StatusCode = 404;
            return;
        }
        c.Response.Headers.ETag = $"\"{sha}\"";
        await Serve(c, entry.Value.Key, entry.Value.Value);
    }

    private async Task Serve(HttpContext c, string path, FakeFile file)
    {
        byte[] bytes = file.Bytes;
        if (CorruptOnce.TryRemove(path, out int flip))
        {
            bytes = (byte[])bytes.Clone();
            bytes[flip] ^= 0x5A;
        }
        long from = 0;
        string? range = c.Request.Headers.Range;
        if (range != null && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
        {
            from = long.Parse(range["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
            if (from >= bytes.Length)
            {
                c.Response.StatusCode = 416;
                c.Response.Headers.ContentRange = $"bytes */{bytes.Length}";
                return;
            }
            c.Response.StatusCode = 206;
            c.Response.Headers.ContentRange = $"bytes {from}-{bytes.Length - 1}/{bytes.Length}";
        }
        Downloads.AddOrUpdate(path, 1, (_, n) => n + 1);
        c.Response.Headers.AcceptRanges = "bytes";
        c.Response.ContentLength = bytes.Length - from;
        c.Response.ContentType = "application/octet-stream";
        int cut = CutOnce.TryRemove(path, out int n) ? n : -1;
        for (long at = from; at < bytes.Length;)
        {
            int chunk = (int)Math.Min(4096, bytes.Length - at);
            if (cut >= 0 && at + chunk > cut) chunk = (int)(cut - at);
            if (chunk > 0) await c.Response.Body.WriteAsync(bytes.AsMemory((int)at, chunk));
            at += chunk;
            if (cut >= 0 && at >= cut)
            {
                await c.Response.Body.FlushAsync();
                c.Abort();
                return;
            }
            if (ChunkDelay > TimeSpan.Zero) await Task.Delay(ChunkDelay);
        }
    }

    private bool Authorize(HttpContext c, string id, out FakeRepo? repo)
    {
        repo = Repos.GetValueOrDefault(id);
        string? auth = c.Request.Headers.Authorization;
        if (repo == null || (repo.Token != null && auth != $"Bearer {repo.Token}"))
        {
            // The Hub answers 401 both for gated repositories without a token and for repositories that do not exist.
            c.Response.Headers["X-Error-Code"] = repo == null ? "RepoNotFound" : "GatedRepo";
            _ = Error(c, 401, repo == null ? "Repository not found" : $"Access to model {id} is restricted. You must have access to it and be authenticated to access it. Please log in.");
            return false;
        }
        return true;
    }

    private static Task Error(HttpContext c, int status, string message)
    {
        c.Response.StatusCode = status;
        c.Response.ContentType = "application/json";
        return c.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["error"] = message }));
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

/// <summary>A repository of the fake Hub: one commit and its files.</summary>
internal sealed class FakeRepo(string id, string? token)
{
    public string Id { get; } = id;

    public string? Token { get; } = token;

    public string Commit { get; set; } = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(id)));

    public ConcurrentDictionary<string, FakeFile> Files { get; } = new(StringComparer.Ordinal);

    /// <summary>Adds a file; GGUF files are LFS files, as on the Hub.</summary>
    public FakeRepo With(string path, byte[] bytes)
    {
        Files[path] = new FakeFile(bytes, path.EndsWith(".gguf", StringComparison.Ordinal));
        return this;
    }
}

/// <summary>A file's bytes with the ids the Hub reports: the git blob SHA-1 and, for LFS files, the SHA-256.</summary>
internal sealed class FakeFile(byte[] bytes, bool lfs)
{
    public byte[] Bytes { get; } = bytes;

    public bool Lfs { get; } = lfs;

    public string Sha256 { get; } = Convert.ToHexStringLower(SHA256.HashData(bytes));

    // The Hub's blobId for an LFS file is the pointer file's id; any 40-hex id serves the test.
    public string GitOid { get; } = Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {bytes.Length}\0"), .. bytes]));
}
