namespace Hearth.Inference;

/// <summary>
/// N sequences (each its own KV cache of <see cref="ContextSize"/> tokens) on an <see cref="InferenceEngine"/>, with a
/// bounded queue in front: a submitted generation takes the free slot whose cached tokens share the longest prefix
/// with its prompt, so a conversation's next turn finds its history already evaluated; it waits while every slot is
/// busy. All slots of all pools of a model decode together, one forward pass per step. Create one with
/// <see cref="InferenceEngine.CreateSlotPool"/>; thread-safe.
/// </summary>
public sealed class SlotPool : IDisposable
{
    private readonly InferenceEngine _engine;
    private readonly Queue<Generation> _queue = new();
    private readonly int _maxQueue;
    private int _running;
    private long _cachedTokens;
    private volatile bool _disposed;

    internal SlotPool(InferenceEngine engine, int slots, int contextSize, int maxQueue)
    {
        _engine = engine;
        _maxQueue = maxQueue;
        var model = engine.Model;
        Slots = new EngineSlot[slots];
        for (int i = 0; i < slots; i++) Slots[i] = new EngineSlot(model.CreateSession(contextSize), this);
        ContextSize = Slots[0].Session.ContextSize;
    }

    internal EngineSlot[] Slots { get; }

    internal Queue<Generation> Queue => _queue;

    internal bool IsDisposed => _disposed;

    /// <summary>Sequences decoded together.</summary>
    public int SlotCount => Slots.Length;

    /// <summary>Tokens each slot's KV cache holds.</summary>
    public int ContextSize { get; }

    /// <summary>Generations holding a slot (processing their prompt or decoding).</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Generations queued for a free slot.</summary>
    public int Waiting
    {
        get
        {
            lock (_queue) return _queue.Count;
        }
    }

    /// <summary>Tokens held in the KV caches of busy slots (an idle slot's cached prefix is not load).</summary>
    public long CachedTokens => Interlocked.Read(ref _cachedTokens);

    /// <summary>
    /// Queues a generation after <paramref name="prompt"/> (a whole sequence: the cached prefix of the chosen slot is kept);
    /// null when the queue is full.
    /// </summary>
    /// <exception cref="ContextOverflowException">The prompt does not fit in a slot's context.</exception>
    /// <exception cref="ObjectDisposedException">The pool or the model was disposed.</exception>
    public Generation? TrySubmit(ReadOnlySpan<int> prompt, GenerationOptions? options = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (prompt.IsEmpty) throw new ArgumentException("The prompt has no tokens.", nameof(prompt));
        if (prompt.Length > ContextSize) throw new ContextOverflowException(prompt.Length, ContextSize);
        options ??= new GenerationOptions();
        options.Validate();
        var generation = new Generation(_engine, prompt.ToArray(), options, null, reusePrefix: true);
        lock (_queue)
        {
            // Generations that will be admitted at once do not count against the waiting-queue bound.
            if (_queue.Count >= (long)_maxQueue + Math.Max(0, Slots.Length - Running)) return null;
            _queue.Enqueue(generation);
        }
        _engine.Activate(this);
        return generation;
    }

    /// <summary>Streams a generation after <paramref name="prompt"/>, waiting for a slot however long the queue is.</summary>
    /// <exception cref="InvalidOperationException">The queue is full.</exception>
    /// <exception cref="ContextOverflowException">The prompt does not fit in a slot's context.</exception>
    /// <exception cref="ObjectDisposedException">The pool or the model was disposed.</exception>
    public IAsyncEnumerable<GenerationUpdate> GenerateAsync(int[] prompt, GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var generation = TrySubmit(prompt, options) ?? throw new InvalidOperationException(
            $"All {SlotCount} slots are busy and {_maxQueue} generations already wait; retry later.");
        return generation.ReadAllAsync(cancellationToken);
    }

    internal void Started() => Interlocked.Increment(ref _running);

    internal void Stopped() => Interlocked.Decrement(ref _running);

    internal void UpdateCachedTokens()
    {
        long cached = 0;
        foreach (var slot in Slots)
        {
            if (slot.State != SlotState.Idle) cached += slot.Session.Position;
        }
        Interlocked.Exchange(ref _cachedTokens, cached);
    }

    /// <summary>Ends the pool: queued and running generations end with <see cref="ObjectDisposedException"/>. Idempotent.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _engine.Wake();
    }
}
