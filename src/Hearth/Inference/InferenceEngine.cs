namespace Hearth.Inference;

/// <summary>
/// The engine loop of one model (<see cref="Model.Engine"/>): a single thread owns the model's compute and advances
/// every generation submitted to it — those of its <see cref="SlotPool"/>s and those running in callers' sessions — in
/// steps. Each step frees the slots of cancelled generations, admits waiting ones (a pool slot is chosen by the longest
/// cached prefix), evaluates one prompt chunk per newcomer, then decodes one token for every decoding sequence in a
/// single batched forward pass (<see cref="InferenceSession.DecodeBatch"/>): continuous batching. Each sequence is
/// driven by a <see cref="TokenGenerator"/>. The server, <c>HearthChatClient</c>, <see cref="ChatSession"/> and
/// <see cref="InferenceSession.GenerateAsync(string, GenerationOptions?, CancellationToken)"/> are all clients of it.
/// Thread-safe; stopped when the model is disposed (generations in flight then end with <see cref="ObjectDisposedException"/>).
/// </summary>
public sealed class InferenceEngine
{
    /// <summary>Prompt tokens evaluated per sequence per step, so a long prompt does not stall the others' decoding for long.</summary>
    private const int PromptChunk = 256;

    private readonly Model _model;
    private readonly object _gate = new();
    private readonly List<SlotPool> _pools = [];
    private readonly Queue<Generation> _sessionRequests = new();
    private readonly Queue<EmbedJob> _embeds = new();
    private readonly List<EngineSlot> _active = [];
    private readonly object _signal = new(); // Monitor-based wake-up: nothing to dispose, the engine lives as long as its model
    private bool _signalled;
    private SlotPool[] _poolSnapshot = [];
    private bool _poolsChanged;
    private InferenceSession[] _batchSessions = [];
    private int[] _batchTokens = [];
    private EngineSlot[] _batchSlots = [];
    private Thread? _thread;
    private volatile bool _stopping;
    private long _decodePasses;
    private long _decodedTokens;
    private long _promptTokens;
    private long _generatedTokens;

    internal InferenceEngine(Model model) => _model = model;

    /// <summary>The model whose compute the engine owns.</summary>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public Model Model
    {
        get
        {
            _model.ThrowIfDisposed();
            return _model;
        }
    }

    /// <summary>A pause after every step that did work (for demonstrations and tests that watch generations in flight).</summary>
    public TimeSpan StepDelay { get; set; }

    /// <summary>Batched decode passes run so far (one per step that had decoding sequences).</summary>
    public long DecodePasses => Interlocked.Read(ref _decodePasses);

    /// <summary>Tokens decoded by those passes (so <c>DecodedTokens / DecodePasses</c> is the mean batch size).</summary>
    public long DecodedTokens => Interlocked.Read(ref _decodedTokens);

    /// <summary>Prompt tokens evaluated (cached prefixes excluded).</summary>
    public long PromptTokens => Interlocked.Read(ref _promptTokens);

    /// <summary>Tokens generated.</summary>
    public long GeneratedTokens => Interlocked.Read(ref _generatedTokens);

    /// <summary>
    /// A pool of <paramref name="slots"/> sequences of <paramref name="contextSize"/> tokens each (0 = the model's, at
    /// most 4096), with room for <paramref name="maxQueue"/> generations waiting beyond the free slots.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="slots"/> is under 1 or <paramref name="maxQueue"/> negative.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public SlotPool CreateSlotPool(int slots, int contextSize = 0, int maxQueue = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxQueue);
        _model.ThrowIfDisposed();
        var pool = new SlotPool(this, slots, contextSize, maxQueue);
        lock (_gate)
        {
            _pools.Add(pool);
            _poolsChanged = true;
        }
        return pool;
    }

    /// <summary>
    /// Runs a generation in the caller's <paramref name="session"/>: <paramref name="prompt"/> is appended to what it
    /// holds (an empty prompt continues from its last logits), or with <paramref name="reusePrefix"/> it is the whole
    /// sequence and only the part past the prefix the session already holds is evaluated. One generation per session at a time.
    /// </summary>
    /// <exception cref="ArgumentException">The session belongs to another model.</exception>
    /// <exception cref="InvalidOperationException">A generation is already running in the session.</exception>
    /// <exception cref="ContextOverflowException">The prompt does not fit in the session's context.</exception>
    /// <exception cref="ObjectDisposedException">The session or the model was disposed.</exception>
    public Generation Submit(InferenceSession session, ReadOnlySpan<int> prompt, GenerationOptions? options = null, bool reusePrefix = false)
    {
        ArgumentNullException.ThrowIfNull(session);
        _model.ThrowIfDisposed();
        if (session.Model != _model) throw new ArgumentException("The session belongs to another model.", nameof(session));
        options ??= new GenerationOptions();
        options.Validate();
        if (reusePrefix)
        {
            if (prompt.IsEmpty) throw new ArgumentException("The prompt has no tokens.", nameof(prompt));
            if (prompt.Length > session.ContextSize) throw new ContextOverflowException(prompt.Length, session.ContextSize);
        }
        else
        {
            session.CheckPrompt(prompt);
        }
        var generation = new Generation(this, prompt.ToArray(), options, session, reusePrefix);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping, _model);
            if (session.Busy) throw new InvalidOperationException("A generation is already running in this session; one at a time.");
            session.Busy = true;
            _sessionRequests.Enqueue(generation);
            EnsureStarted();
        }
        Wake();
        return generation;
    }

    /// <summary>
    /// A sentence embedding of <paramref name="tokens"/> (see <see cref="Model.Embed(ReadOnlySpan{int}, Span{float})"/>:
    /// the model's own pooling, unit length), computed on the engine thread between steps.
    /// </summary>
    /// <exception cref="ArgumentException">No tokens, or a token id outside the vocabulary.</exception>
    /// <exception cref="NotSupportedException">The model is a reranker or states no pooling.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public Task<float[]> EmbedAsync(int[] tokens, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Length == 0) throw new ArgumentException("No tokens to embed.", nameof(tokens));
        return First(EmbedManyAsync([tokens], cancellationToken));
    }

    private static async Task<float[]> First(Task<float[][]> rows) => (await rows.ConfigureAwait(false))[0];

    /// <summary>
    /// Embeddings of many token sequences in as few forward passes as the batch size allows (see
    /// <see cref="Model.Embed(IReadOnlyList{string})"/>), computed on the engine thread between steps.
    /// </summary>
    /// <exception cref="ArgumentException">An input has no tokens.</exception>
    /// <exception cref="NotSupportedException">The model is a reranker or states no pooling.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    internal Task<float[][]> EmbedManyAsync(IReadOnlyList<int[]> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        _model.ThrowIfDisposed();
        foreach (var tokens in inputs)
        {
            if (tokens is null || tokens.Length == 0) throw new ArgumentException("No tokens to embed.", nameof(inputs));
        }
        if (_model.Pooling is PoolingType.Rank or PoolingType.None)
        {
            throw new NotSupportedException($"This model pools by '{_model.Pooling.ToString().ToLowerInvariant()}', which gives no embedding per input; a reranker is used through Model.Rerank.");
        }
        return Enqueue(new EmbedJob(inputs, cancellationToken));
    }

    /// <summary>
    /// Relevance scores of <paramref name="documents"/> for <paramref name="query"/> from a reranking model, as
    /// <see cref="Model.Rerank"/> computes them, on the engine thread between steps (so concurrent callers, such as
    /// server requests, are serialised with everything else the model computes).
    /// </summary>
    /// <exception cref="NotSupportedException">The model is not a reranker.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public async Task<float[]> RerankAsync(string query, IReadOnlyList<string> documents, CancellationToken cancellationToken = default)
    {
        _model.ThrowIfDisposed();
        var inputs = _model.RerankInputs(query, documents);
        return Model.RerankScores(await Enqueue(new EmbedJob(inputs, cancellationToken)).ConfigureAwait(false));
    }

    private Task<float[][]> Enqueue(EmbedJob job)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping, _model);
            _embeds.Enqueue(job);
            EnsureStarted();
        }
        Wake();
        return job.Result.Task;
    }

    internal void Wake()
    {
        lock (_signal)
        {
            _signalled = true;
            Monitor.Pulse(_signal);
        }
    }

    private void WaitForWork()
    {
        lock (_signal)
        {
            if (!_signalled) Monitor.Wait(_signal, TimeSpan.FromSeconds(1));
            _signalled = false;
        }
    }

    /// <summary>A pool has work queued.</summary>
    internal void Activate(SlotPool pool)
    {
        lock (_gate)
        {
            if (_stopping)
            {
                FailQueue(pool, Disposed());
                return;
            }
            EnsureStarted();
        }
        Wake();
    }

    private void EnsureStarted()
    {
        if (_thread != null || _stopping) return;
        _thread = new Thread(Loop) { IsBackground = true, Name = "hearth-engine" };
        _thread.Start();
    }

    /// <summary>Stops the loop (called by <see cref="Model.Dispose"/>): everything in flight or queued fails.</summary>
    internal void Shutdown()
    {
        Thread? thread;
        lock (_gate)
        {
            _stopping = true;
            thread = _thread;
        }
        Wake();
        if (thread != null && thread != Thread.CurrentThread) thread.Join();
        if (thread == null) FailEverything(Disposed());
    }

    private ObjectDisposedException Disposed() =>
        new(typeof(Model).FullName, "The model was disposed; the generations in flight were ended.");

    private void Loop()
    {
        while (!_stopping)
        {
            lock (_signal) _signalled = false;
            bool worked;
            try
            {
                worked = Step();
            }
#pragma warning disable CA1031 // The engine thread must survive any one step's failure; the generations in it get the exception.
            catch (Exception e)
#pragma warning restore CA1031
            {
                if (_model.IsDisposed) break;
                foreach (var slot in _active.ToArray()) Fail(slot, e, reset: true);
                worked = true;
            }
            if (!worked) WaitForWork();
            else if (StepDelay > TimeSpan.Zero) Thread.Sleep(StepDelay);
        }
        FailEverything(Disposed());
    }

    private void FailEverything(Exception e)
    {
        foreach (var slot in _active.ToArray()) Fail(slot, e, reset: false);
        lock (_gate)
        {
            foreach (var pool in _pools) FailQueue(pool, e);
            while (_sessionRequests.Count > 0) FailUnstarted(_sessionRequests.Dequeue(), e);
            while (_embeds.Count > 0) _embeds.Dequeue().Result.TrySetException(e);
        }
    }

    /// <summary>One step; false when there was nothing to do.</summary>
    private bool Step()
    {
        bool worked = false;
        var pools = Pools();
        foreach (var pool in pools)
        {
            if (pool.IsDisposed) RemovePool(pool);
        }
        for (int i = _active.Count - 1; i >= 0; i--)
        {
            var slot = _active[i];
            if (slot.Request!.IsCancelled) Fail(slot, new OperationCanceledException("The generation was cancelled."), reset: false);
        }
        foreach (var pool in pools)
        {
            if (!pool.IsDisposed) Admit(pool);
        }
        AdmitSessionRequests();
        for (int i = _active.Count - 1; i >= 0; i--)
        {
            if (i < _active.Count && _active[i].State == SlotState.Prompt)
            {
                ProcessPromptChunk(_active[i]);
                worked = true;
            }
        }
        worked |= DecodeStep();
        worked |= EmbedOne();
        foreach (var pool in pools) pool.UpdateCachedTokens();
        return worked;
    }

    private SlotPool[] Pools()
    {
        lock (_gate)
        {
            if (_poolsChanged)
            {
                _poolSnapshot = [.. _pools];
                _poolsChanged = false;
            }
            return _poolSnapshot;
        }
    }

    private void RemovePool(SlotPool pool)
    {
        var e = new ObjectDisposedException(typeof(SlotPool).FullName, "The slot pool was disposed; its generations were ended.");
        foreach (var slot in pool.Slots)
        {
            if (slot.Request != null) Fail(slot, e, reset: false);
            slot.Session.Dispose();
        }
        lock (_gate)
        {
            FailQueue(pool, e);
            _pools.Remove(pool);
            _poolsChanged = true;
        }
    }

    private static void FailQueue(SlotPool pool, Exception e)
    {
        lock (pool.Queue)
        {
            while (pool.Queue.Count > 0) FailUnstarted(pool.Queue.Dequeue(), e);
        }
    }

    private static void FailUnstarted(Generation request, Exception e)
    {
        if (request.Session is { } session) session.Busy = false;
        request.Ended();
        request.Writer.TryComplete(e);
    }

    private void Admit(SlotPool pool)
    {
        while (true)
        {
            Generation request;
            EngineSlot? slot;
            lock (pool.Queue)
            {
                if (pool.Queue.Count == 0) return;
                slot = PickFreeSlot(pool, pool.Queue.Peek().Prompt);
                if (slot == null) return;
                request = pool.Queue.Dequeue();
            }
            if (request.IsCancelled)
            {
                FailUnstarted(request, new OperationCanceledException("The generation was cancelled."));
                continue;
            }
            Start(slot, request);
        }
    }

    private void AdmitSessionRequests()
    {
        while (true)
        {
            Generation request;
            lock (_gate)
            {
                if (_sessionRequests.Count == 0) return;
                request = _sessionRequests.Dequeue();
            }
            if (request.IsCancelled)
            {
                FailUnstarted(request, new OperationCanceledException("The generation was cancelled."));
                continue;
            }
            Start(new EngineSlot(request.Session!, null), request);
        }
    }

    private void Start(EngineSlot slot, Generation request)
    {
        try
        {
            slot.Start(request);
        }
#pragma warning disable CA1031 // Reported to the generation's reader.
        catch (Exception e)
#pragma warning restore CA1031
        {
            if (_model.IsDisposed) throw;
            slot.Release();
            FailUnstarted(request, e);
            return;
        }
        slot.Pool?.Started();
        _active.Add(slot);
        Interlocked.Add(ref _promptTokens, slot.Pending.Length);
    }

    /// <summary>The free slot whose cached tokens share the longest prefix with <paramref name="prompt"/>.</summary>
    private static EngineSlot? PickFreeSlot(SlotPool pool, int[] prompt)
    {
        EngineSlot? best = null;
        int bestCommon = -1;
        foreach (var slot in pool.Slots)
        {
            if (slot.State != SlotState.Idle) continue;
            int common = slot.Session.Tokens.CommonPrefixLength(prompt);
            if (common > bestCommon)
            {
                best = slot;
                bestCommon = common;
            }
        }
        return best;
    }

    private void ProcessPromptChunk(EngineSlot slot)
    {
        int count = Math.Min(PromptChunk, slot.Pending.Length - slot.PendingDone);
        if (count > 0)
        {
            try
            {
                slot.Session.Evaluate(slot.Pending.AsSpan(slot.PendingDone, count));
            }
#pragma warning disable CA1031 // Reported to the generation's reader.
            catch (Exception e)
#pragma warning restore CA1031
            {
                if (_model.IsDisposed) throw;
                Fail(slot, e, reset: true);
                return;
            }
            slot.PendingDone += count;
            if (slot.PendingDone < slot.Pending.Length) return;
        }
        slot.Request!.PromptDone();
        OnLogits(slot);
    }

    private bool DecodeStep()
    {
        if (_batchSlots.Length < _active.Count)
        {
            int size = Math.Max(_active.Count, _batchSlots.Length * 2);
            _batchSlots = new EngineSlot[size];
            _batchSessions = new InferenceSession[size];
            _batchTokens = new int[size];
        }
        int n = 0;
        for (int i = _active.Count - 1; i >= 0; i--)
        {
            var slot = _active[i];
            if (slot.State != SlotState.Decode) continue;
            if (slot.Session.IsDisposed)
            {
                Fail(slot, new ObjectDisposedException(typeof(InferenceSession).FullName, "The session was disposed while generating."), reset: false);
                continue;
            }
            _batchSlots[n] = slot;
            _batchSessions[n] = slot.Session;
            _batchTokens[n] = slot.Next;
            n++;
        }
        if (n == 0) return false;
        try
        {
            InferenceSession.DecodeBatch(_batchSessions.AsSpan(0, n), _batchTokens.AsSpan(0, n));
        }
#pragma warning disable CA1031 // Reported to the generations' readers.
        catch (Exception e)
#pragma warning restore CA1031
        {
            if (_model.IsDisposed) throw;
            for (int i = 0; i < n; i++) Fail(_batchSlots[i], e, reset: true);
            Array.Clear(_batchSessions, 0, n);
            Array.Clear(_batchSlots, 0, n);
            return true;
        }
        Interlocked.Increment(ref _decodePasses);
        Interlocked.Add(ref _decodedTokens, n);
        for (int i = 0; i < n; i++) OnLogits(_batchSlots[i]);
        Array.Clear(_batchSessions, 0, n);
        Array.Clear(_batchSlots, 0, n);
        return true;
    }

    /// <summary>Steps the slot's generator on its session's logits, streams the result, and decides whether to go on.</summary>
    private void OnLogits(EngineSlot slot)
    {
        var generator = slot.Generator!;
        var session = slot.Session;
        var request = slot.Request!;
        bool produced = generator.Step(session.Logits, session.Position >= session.ContextSize);
        if (produced)
        {
            var text = generator.CurrentText;
            if (generator.Current >= 0) Interlocked.Increment(ref _generatedTokens);
            if (generator.Current >= 0 || text.Length > 0)
            {
                request.Writer.TryWrite(new GenerationUpdate(generator.Current, text.Length == 0 ? string.Empty : text.ToString()));
            }
        }
        if (!produced || generator.FinishReason != null || generator.Current < 0)
        {
            Finish(slot);
            return;
        }
        slot.Next = generator.Current;
        slot.BeginDecoding();
    }

    private void Finish(EngineSlot slot)
    {
        var request = slot.Request!;
        var generator = slot.Generator!;
        string tail = generator.FinishReason == null ? generator.Stop(FinishReason.Length) : string.Empty;
        var stats = new GenerationStats(generator.FinishReason ?? FinishReason.Length, slot.PromptTokens, slot.Reused, generator.GeneratedTokenCount);
        Release(slot);
        request.Ended();
        request.Writer.TryWrite(new GenerationUpdate(-1, tail, stats));
        request.Writer.TryComplete();
    }

    private void Fail(EngineSlot slot, Exception e, bool reset)
    {
        var request = slot.Request!;
        if (reset)
        {
            try
            {
                // After a failed evaluation the cache's contents are unknown.
                if (!_model.IsDisposed) slot.Session.Reset();
            }
            catch (ObjectDisposedException)
            {
            }
        }
        Release(slot);
        request.Ended();
        request.Writer.TryComplete(e);
    }

    private void Release(EngineSlot slot)
    {
        var session = slot.Request?.Session;
        slot.Release();
        _active.Remove(slot);
        slot.Pool?.Stopped();
        if (session != null)
        {
            lock (_gate) session.Busy = false;
        }
    }

    private bool EmbedOne()
    {
        EmbedJob job;
        lock (_gate)
        {
            if (_embeds.Count == 0) return false;
            job = _embeds.Dequeue();
        }
        if (job.Cancellation.IsCancellationRequested)
        {
            job.Result.TrySetCanceled(job.Cancellation);
            return true;
        }
        try
        {
            job.Result.TrySetResult(_model.PoolInputs(job.Inputs));
        }
#pragma warning disable CA1031 // Reported to the caller's task.
        catch (Exception e)
#pragma warning restore CA1031
        {
            job.Result.TrySetException(e);
            if (_model.IsDisposed) throw;
        }
        return true;
    }

    private sealed class EmbedJob(IReadOnlyList<int[]> inputs, CancellationToken cancellation)
    {
        public IReadOnlyList<int[]> Inputs { get; } = inputs;

        public CancellationToken Cancellation { get; } = cancellation;

        public TaskCompletionSource<float[][]> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
