using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Hearth.Inference;

/// <summary>
/// A generation submitted to an <see cref="InferenceEngine"/> (through a <see cref="SlotPool"/> or for a session):
/// its updates stream through <see cref="Updates"/> as the engine thread produces them, one per generated token, then a
/// final one with the <see cref="GenerationStats"/>. If it fails — the prompt does not fit, the model or session was
/// disposed, it was cancelled — the reader throws that exception. Thread-safe.
/// </summary>
public sealed class Generation
{
    private readonly Channel<GenerationUpdate> _channel = Channel.CreateUnbounded<GenerationUpdate>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly InferenceEngine _engine;
    private int _cancelled;
    private long _promptDoneTicks;
    private long _endTicks;

    internal Generation(InferenceEngine engine, int[] prompt, GenerationOptions options, InferenceSession? session, bool reusePrefix)
    {
        _engine = engine;
        Prompt = prompt;
        Options = options;
        Session = session;
        ReusePrefix = reusePrefix;
    }

    internal int[] Prompt { get; }

    internal GenerationOptions Options { get; }

    /// <summary>The caller's session the generation runs in, or null for a pool slot.</summary>
    internal InferenceSession? Session { get; }

    /// <summary>The prompt is a whole sequence whose cached prefix is kept (true) rather than tokens to append (false).</summary>
    internal bool ReusePrefix { get; }

    internal ChannelWriter<GenerationUpdate> Writer => _channel.Writer;

    /// <summary>The updates, in order; completes after the final one, or throws the exception the generation failed with.</summary>
    public ChannelReader<GenerationUpdate> Updates => _channel.Reader;

    /// <summary><see cref="Stopwatch"/> timestamp of submission.</summary>
    public long SubmittedAt { get; } = Stopwatch.GetTimestamp();

    /// <summary>Time from submission to the end of prompt processing (waiting for a slot included).</summary>
    public TimeSpan PromptTime => _promptDoneTicks == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(SubmittedAt, _promptDoneTicks);

    /// <summary>Time from the end of prompt processing to the end of generation (or now).</summary>
    public TimeSpan GenerationTime => _promptDoneTicks == 0 ? TimeSpan.Zero
        : Stopwatch.GetElapsedTime(_promptDoneTicks, _endTicks != 0 ? _endTicks : Stopwatch.GetTimestamp());

    /// <summary>The sampler's seed (the requested one, or the random one chosen); 0 until the generation starts.</summary>
    public ulong Seed { get; internal set; }

    /// <summary>Whether <see cref="Cancel"/> was called.</summary>
    public bool IsCancelled => Volatile.Read(ref _cancelled) != 0;

    /// <summary>Ends the generation at the engine's next step (the reader then throws <see cref="OperationCanceledException"/>).</summary>
    public void Cancel()
    {
        if (Interlocked.Exchange(ref _cancelled, 1) == 0) _engine.Wake();
    }

    /// <summary>
    /// The updates as an async stream. Cancelling <paramref name="cancellationToken"/>, or leaving the loop early, cancels
    /// the generation.
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The model, the session or the pool was disposed while generating.</exception>
    /// <exception cref="ContextOverflowException">The prompt does not fit in the context.</exception>
    public async IAsyncEnumerable<GenerationUpdate> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        bool finished = false;
        using var registration = cancellationToken.Register(static g => ((Generation)g!).Cancel(), this);
        try
        {
            await foreach (var update in _channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                // Updates may already be buffered: a cancelled reader stops here rather than draining them.
                cancellationToken.ThrowIfCancellationRequested();
                if (update.Finished != null) finished = true;
                yield return update;
            }
        }
        finally
        {
            if (!finished) Cancel();
        }
    }

    internal void PromptDone() => _promptDoneTicks = Stopwatch.GetTimestamp();

    internal void Ended()
    {
        if (_promptDoneTicks == 0) _promptDoneTicks = Stopwatch.GetTimestamp();
        _endTicks = Stopwatch.GetTimestamp();
    }
}
