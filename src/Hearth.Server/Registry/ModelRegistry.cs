using Hearth.Server.Endpoints;

namespace Hearth.Server.Registry;

/// <summary>
/// The models one server serves, by the name a request puts in <c>model</c>. A model loads on first use (a request
/// waits up to <see cref="LoadWait"/>, then gets 503 with Retry-After while the load goes on); when more than
/// <see cref="MaxLoaded"/> are loaded the least recently used one without requests in flight is unloaded. An unknown
/// name is a 404 naming what is served. The endpoints hold a <see cref="Lease"/> for as long as they use a model.
/// </summary>
internal sealed class ModelRegistry : IDisposable
{
    private readonly List<Entry> _entries;
    private readonly Dictionary<string, Entry> _byId;
    private readonly Func<ServedModel, string, ServerState> _load;
    private readonly Lock _lock = new();
    private long _clock;
    private bool _disposed;

    public ModelRegistry(IReadOnlyList<ServedModel> models, Func<ServedModel, string, ServerState> load)
    {
        if (models.Count == 0) throw new ArgumentException("At least one model must be served.", nameof(models));
        _load = load;
        _entries = new List<Entry>(models.Count);
        _byId = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach (var m in models)
        {
            string id = m.Id ?? DefaultId(m.Path);
            if (_byId.ContainsKey(id)) throw new ArgumentException($"Two models are served as '{id}'; give one of them another --alias.", nameof(models));
            var e = new Entry(m, id, new DateTimeOffset(File.GetLastWriteTimeUtc(m.Path)).ToUnixTimeSeconds());
            _entries.Add(e);
            _byId[id] = e;
        }
    }

    /// <summary>Most models kept loaded at once; 0 = no limit.</summary>
    public int MaxLoaded { get; init; }

    /// <summary>How long a request waits for its model to load before a 503.</summary>
    public TimeSpan LoadWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The name of the first model (served when a single model is configured).</summary>
    public string FirstId => _entries[0].Id;

    /// <summary>A GGUF file's default name: the file name without <c>.gguf</c> (and without the split suffix).</summary>
    public static string DefaultId(string path) => Model.NameFromPath(path);

    /// <summary>Every served model, loaded or not, in configuration order.</summary>
    public IReadOnlyList<ModelStatus> Status()
    {
        lock (_lock)
        {
            var list = new List<ModelStatus>(_entries.Count);
            foreach (var e in _entries)
            {
                list.Add(new ModelStatus(e.Id, e.Model.Path, e.Created, e.State != null, e.Loading != null && e.State == null,
                    e.State?.Model.File.Length ?? 0, e.InFlight, e.LastUsedUtc, e.LoadError));
            }
            return list;
        }
    }

    /// <summary>The loaded models' states (for /health and /metrics).</summary>
    public List<ServerState> Loaded()
    {
        lock (_lock) return [.. _entries.Where(e => e.State != null).OrderByDescending(e => e.LastUsed).Select(e => e.State!)];
    }

    /// <summary>
    /// Loads a model (the first one at start-up, so a broken model fails the start); requests asking for it meanwhile
    /// wait for this same load.
    /// </summary>
    public Task PreloadAsync(string id)
    {
        var e = _byId[id];
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (e.State != null) return Task.CompletedTask;
            return e.Loading ??= StartLoad(e);
        }
    }

    /// <summary>The model a request names, loading it if needed; dispose the lease when the response is done.</summary>
    public async Task<Lease> AcquireAsync(string? model, CancellationToken ct)
    {
        if (model is null) throw ApiError.Missing("model");
        // The name is only looked up, never used as a path: no request can make the server open a file.
        if (!_byId.TryGetValue(model, out var e))
        {
            throw new ApiError(404, $"The model '{model}' does not exist. This server serves: {string.Join(", ", _entries.Select(x => $"'{x.Id}'"))}.", "model", "model_not_found");
        }
        Task<ServerState> loading;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (e.State != null) return Take(e);
            loading = e.Loading ??= StartLoad(e);
        }
        var done = await Task.WhenAny(loading, Task.Delay(LoadWait, ct)).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        if (done != loading) throw new ApiError(503, $"The model '{model}' is loading; retry shortly.", "model", "model_loading");
        lock (_lock)
        {
            if (e.State != null) return Take(e);
            throw new ApiError(500, $"The model '{model}' failed to load: {e.LoadError}", "model", "model_load_failed");
        }
    }

    private Lease Take(Entry e)
    {
        e.InFlight++;
        e.LastUsed = ++_clock;
        e.LastUsedUtc = DateTime.UtcNow;
        return new Lease(this, e);
    }

    private Task<ServerState> StartLoad(Entry e) => Task.Run(() =>
    {
        try
        {
            var state = _load(e.Model, e.Id);
            lock (_lock)
            {
                e.Loading = null;
                e.LoadError = null;
                if (_disposed)
                {
                    state.Dispose();
                    throw new ObjectDisposedException(nameof(ModelRegistry));
                }
                e.State = state;
                e.LastUsed = ++_clock;
                EvictLocked();
            }
            return state;
        }
        catch (Exception x) when (x is not ObjectDisposedException)
        {
            lock (_lock)
            {
                // The next request tries again (the file may have been fixed or memory freed).
                e.Loading = null;
                e.LoadError = x.Message;
            }
            throw;
        }
    });

    private void Release(Entry e)
    {
        lock (_lock)
        {
            e.InFlight--;
            EvictLocked();
        }
    }

    /// <summary>Unloads least recently used idle models while more than <see cref="MaxLoaded"/> are loaded.</summary>
    private void EvictLocked()
    {
        if (MaxLoaded <= 0) return;
        while (true)
        {
            var loaded = _entries.Where(x => x.State != null).ToList();
            if (loaded.Count <= MaxLoaded) return;
            var victim = loaded.Where(x => x.InFlight == 0).OrderBy(x => x.LastUsed).FirstOrDefault();
            // The most recently used model stays even when it is the only idle one (it was just asked for).
            if (victim == null || victim.LastUsed == loaded.Max(x => x.LastUsed)) return;
            victim.State!.Dispose();
            victim.State = null;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var e in _entries)
            {
                e.State?.Dispose();
                e.State = null;
            }
        }
    }

    internal sealed class Entry(ServedModel model, string id, long created)
    {
        public ServedModel Model { get; } = model;

        public string Id { get; } = id;

        public long Created { get; } = created;

        public ServerState? State { get; set; }

        public Task<ServerState>? Loading { get; set; }

        public string? LoadError { get; set; }

        public int InFlight { get; set; }

        public long LastUsed { get; set; }

        public DateTime? LastUsedUtc { get; set; }
    }

    /// <summary>A model in use by one request; unloading waits until every lease is disposed.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly ModelRegistry _owner;
        private readonly Entry _entry;
        private bool _released;

        internal Lease(ModelRegistry owner, Entry entry)
        {
            _owner = owner;
            _entry = entry;
            State = entry.State!;
        }

        public ServerState State { get; }

        public void Dispose()
        {
            if (_released) return;
            _released = true;
            _owner.Release(_entry);
        }
    }
}

/// <summary>One served model as <c>/api/ps</c> reports it.</summary>
internal sealed record ModelStatus(string Id, string Path, long Created, bool Loaded, bool Loading, long MappedBytes, int InFlight, DateTime? LastUsedUtc, string? LoadError);
