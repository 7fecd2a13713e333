namespace Hearth.Server;

/// <summary>
/// Where the server is in its life, for probes and for draining: loading (listening, the first model not loaded yet),
/// ready, or draining (new work is refused with 503 while the requests in flight finish).
/// </summary>
internal sealed class ServerLifecycle
{
    private int _inFlight;
    private volatile bool _ready;
    private volatile bool _draining;
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The first model is loaded.</summary>
    public bool Ready => _ready && !_draining;

    public bool Draining => _draining;

    /// <summary>API requests being answered now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public string Status => _draining ? "draining" : _ready ? "ready" : "loading";

    public void MarkReady() => _ready = true;

    public void Enter() => Interlocked.Increment(ref _inFlight);

    public void Exit()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && _draining) _idle.TrySetResult();
    }

    /// <summary>Refuses new work from now on and completes when no request is in flight (or at once if none is).</summary>
    public Task BeginDrain()
    {
        _draining = true;
        if (InFlight == 0) _idle.TrySetResult();
        return _idle.Task;
    }
}
