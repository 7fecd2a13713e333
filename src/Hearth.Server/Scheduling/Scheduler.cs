using System.Diagnostics;
using Hearth.Inference;
using Hearth.Sampling;
using Hearth.Server.Metrics;
using Hearth.Tokenization;

namespace Hearth.Server.Scheduling;

/// <summary>
/// Continuous batching over N slots on one engine thread. Each step: drop requests whose client left, admit waiting
/// requests into free slots, process one prompt chunk per newcomer, then decode one token for every decoding slot in a
/// single <see cref="InferenceSession.DecodeBatch"/> pass. A new request therefore joins the running batch at the next
/// step; the queue in front of the slots is bounded and refuses work when full.
/// </summary>
internal sealed class Scheduler : IDisposable
{
    /// <summary>Prompt tokens processed per slot per step, so a long prompt does not stall the others' decoding for long.</summary>
    private const int PromptChunk = 256;

    private readonly Model _model;
    private readonly Tokenizer _tokenizer;
    private readonly Slot[] _slots;
    private readonly Queue<GenerationRequest> _queue = new();
    private readonly int _maxQueue;
        private readonly ServerMetrics _metrics;
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly Thread _thread;
    private readonly InferenceSession[] _batchSessions;
    private readonly int[] _batchTokens;
    private readonly Slot[] _batchSlots;
    private readonly Lazy<GrammarVocabulary> _grammarVocabulary;
    private volatile bool _stopping;
    private int _running;
    private long _cachedTokens;

    public Scheduler(Model model, int parallel, int contextSize, int maxQueue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallel, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxQueue);
        _model = model;
        _tokenizer = model.Tokenizer;
        _maxQueue = maxQueue;
        _grammarVocabulary = new Lazy<GrammarVocabulary>(() => GrammarVocabulary.FromTokenizer(_tokenizer));
        _slots = new Slot[parallel];
        for (int i = 0; i < parallel; i++) _slots[i] = new Slot(i, model.CreateSession(contextSize));
        ContextSize = _slots[0].Session.ContextSize;
        _batchSessions = new InferenceSession[parallel];
        _batchTokens = new int[parallel];
        _batchSlots = new Slot[parallel];
        _metrics = new ServerMetrics(() => Volatile.Read(ref _running), () => Waiting, KvCacheUsage);
        _thread = new Thread(Loop) { IsBackground = true, Name = "hearth-engine" };
        _thread.Start();
    }

    /// <summary>Tokens each slot's KV cache holds.</summary>
    public int ContextSize { get; }

    public int SlotCount => _slots.Length;

    public ServerMetrics Metrics => _metrics;

    public int Running => Volatile.Read(ref _running);

    public int Waiting
    {
        get
        {
            lock (_queue) return _queue.Count;
        }
    }

    /// <summary>Test hook: a pause after each engine step, so that requests stay in flight long enough to observe.</summary>
    internal TimeSpan StepDelay { get; set; }

    /// <summary>Queues <paramref name="request"/>; false when the queue is full (answer 503) or the server is stopping.</summary>
    public bool TryEnqueue(GenerationRequest request)
    {
        lock (_queue)
        {
            if (_stopping || _queue.Count >= _maxQueue + FreeSlotsEstimate()) return false;
            _queue.Enqueue(request);
        }
        _wake.Set();
        return true;
    }

    /// <summary>Wakes the engine thread (a client left: its slot is freed at the next step).</summary>
    public void Wake() => _wake.Set();

    // Requests that will be admitted at once do not count against the waiting-queue bound.
    private int FreeSlotsEstimate() => Math.Max(0, _slots.Length - Volatile.Read(ref _running));

    private double KvCacheUsage() => (double)Interlocked.Read(ref _cachedTokens) / ((long)ContextSize * _slots.Length);

    private void Loop()
    {
        while (!_stopping)
        {
            _wake.Reset();
            bool worked = false;
            try
            {
                worked = Step();
            }
#pragma warning disable CA1031 // The engine thread must survive any one request's failure.
            catch (Exception e)
#pragma warning restore CA1031
            {
                foreach (var slot in _slots)
                {
                    if (slot.Request == null) continue;
                    slot.Clear(); // its cache may hold a half-finished step
                    Fail(slot, 500, "The engine failed: " + e.Message);
                }
            }
            UpdateCacheGauge();
            if (!worked) _wake.Wait(TimeSpan.FromSeconds(1));
            else if (StepDelay > TimeSpan.Zero) Thread.Sleep(StepDelay);
        }
        lock (_queue)
        {
            while (_queue.Count > 0) Reject(_queue.Dequeue());
        }
        foreach (var slot in _slots)
        {
            if (slot.Request != null) Fail(slot, 503, "The server is shutting down.");
        }
    }

    /// <summary>One scheduling step; false when there was nothing to do.</summary>
    private bool Step()
    {
        bool worked = false;
        foreach (var slot in _slots)
        {
            if (slot.Request is { IsCancelled: true }) Finish(slot, "cancelled");
        }
        Admit();
        foreach (var slot in _slots)
        {
            if (slot.State == SlotState.Prompt)
            {
                ProcessPromptChunk(slot);
                worked = true;
            }
        }
        int n = 0;
        foreach (var slot in _slots)
        {
            if (slot.State != SlotState.Decode) continue;
            _batchSlots[n] = slot;
            _batchSessions[n] = slot.Session;
            _batchTokens[n] = slot.Pending;
            n++;
        }
        if (n > 0)
        {
            worked = true;
            try
            {
                InferenceSession.DecodeBatch(_batchSessions.AsSpan(0, n), _batchTokens.AsSpan(0, n));
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException)
            {
                for (int i = 0; i < n; i++)
                {
                    _batchSlots[i].Clear();
                    Fail(_batchSlots[i], 500, "Decoding failed: " + e.Message);
                }
                return true;
            }
            for (int i = 0; i < n; i++)
            {
                var slot = _batchSlots[i];
                slot.PendingEvaluated();
                OnLogits(slot, slot.Session.Logits);
            }
            Array.Clear(_batchSessions, 0, n);
            Array.Clear(_batchSlots, 0, n);
        }
        return worked;
    }

    private void Admit()
    {
        while (true)
        {
            GenerationRequest request;
            Slot? slot;
            lock (_queue)
            {
                if (_queue.Count == 0) return;
                slot = PickFreeSlot(_queue.Peek());
                if (slot == null) return;
                request = _queue.Dequeue();
            }
            if (request.IsCancelled)
            {
                request.Events.Writer.TryComplete();
                continue;
            }
            var sampler = request.Sampling.Grammar is null
                ? new Sampler(request.Sampling, _model.Config.VocabSize)
                : new Sampler(request.Sampling, _model.Config.VocabSize, _grammarVocabulary.Value);
            slot.Start(request, sampler);
            Interlocked.Increment(ref _running);
            _metrics.PromptTokens(request.PromptTokens.Length - slot.CachedTokens);
        }
    }

    /// <summary>The free slot whose cached tokens share the longest prefix with the request's prompt.</summary>
    private Slot? PickFreeSlot(GenerationRequest request)
    {
        Slot? best = null;
        int bestCommon = -1;
        foreach (var slot in _slots)
        {
            if (slot.State != SlotState.Idle) continue;
            int common = slot.CommonPrefix(request.PromptTokens);
            if (common > bestCommon)
            {
                best = slot;
                bestCommon = common;
            }
        }
        return best;
    }

    private void ProcessPromptChunk(Slot slot)
    {
        var request = slot.Request!;
        int count = Math.Min(PromptChunk, request.PromptTokens.Length - slot.PromptDone);
        ReadOnlySpan<float> logits;
        try
        {
            logits = slot.Evaluate(request.PromptTokens.AsSpan(slot.PromptDone, count));
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            slot.Clear();
            Fail(slot, e is ContextOverflowException ? 400 : 500, e.Message);
            return;
        }
        slot.PromptDone += count;
        if (slot.PromptDone < request.PromptTokens.Length) return;
        slot.BeginDecoding();
        OnLogits(slot, logits);
    }

    /// <summary>Samples the next token of <paramref name="slot"/>, streams its text, and decides whether to go on.</summary>
    private void OnLogits(Slot slot, ReadOnlySpan<float> logits)
    {
        var request = slot.Request!;
        int token = slot.Sampler!.Sample(logits);
        if (_tokenizer.IsEndOfGeneration(token))
        {
            Finish(slot, "stop");
            return;
        }
        slot.Sampler.Accept(token);
        slot.Generated++;
        long now = Stopwatch.GetTimestamp();
        if (slot.Generated == 1) _metrics.TimeToFirstToken(Stopwatch.GetElapsedTime(request.ArrivedAt, now).TotalSeconds);
        else _metrics.InterTokenLatency(Stopwatch.GetElapsedTime(slot.LastTokenAt, now).TotalSeconds);
        slot.LastTokenAt = now;
        _metrics.GeneratedToken();

        string text = slot.Stops!.Push(slot.DecodeText(_tokenizer.TokenBytes(token)));
        if (text.Length > 0) request.Events.Writer.TryWrite(GenerationEvent.Delta(text));
        // A grammar that allows nothing more has produced a complete answer (e.g. the closing brace of the JSON object).
        if (slot.Stops.Stopped || slot.Sampler.GrammarComplete)
        {
            Finish(slot, "stop");
            return;
        }
        if (slot.Generated >= request.MaxTokens || slot.Session.Position >= slot.Session.ContextSize)
        {
            Finish(slot, "length");
            return;
        }
        slot.Pending = token;
    }

    private void Finish(Slot slot, string reason)
    {
        var request = slot.Request!;
        if (reason != "cancelled")
        {
            string tail = slot.Stops!.Stopped ? string.Empty : slot.Stops.Push(slot.FlushText()) + slot.Stops.Flush();
            if (tail.Length > 0) request.Events.Writer.TryWrite(GenerationEvent.Delta(tail));
            request.Events.Writer.TryWrite(GenerationEvent.Finished(reason, request.PromptTokens.Length, slot.Generated, slot.CachedTokens));
        }
        request.Events.Writer.TryComplete();
        _metrics.RequestFinished(reason);
        Release(slot);
    }

    private void Fail(Slot slot, int status, string message)
    {
        var request = slot.Request!;
        request.Events.Writer.TryWrite(GenerationEvent.Failed(status, message));
        request.Events.Writer.TryComplete();
        _metrics.RequestFinished("error");
        Release(slot);
    }

    private void Release(Slot slot)
    {
        slot.Release();
        Interlocked.Decrement(ref _running);
    }

    private static void Reject(GenerationRequest request)
    {
        request.Events.Writer.TryWrite(GenerationEvent.Failed(503, "The server is shutting down."));
        request.Events.Writer.TryComplete();
    }

    private void UpdateCacheGauge()
    {
        long cached = 0;
        // Only running requests count: an idle slot's cached prefix is reusable at once, so it is not load.
        foreach (var slot in _slots)
        {
            if (slot.State != SlotState.Idle) cached += slot.Session.Position;
        }
        Interlocked.Exchange(ref _cachedTokens, cached);
    }

    public void Dispose()
    {
        _stopping = true;
        _wake.Set();
        _thread.Join();
        _wake.Dispose();
        _metrics.Dispose();
        foreach (var slot in _slots) slot.Session.Dispose();
    }
}
