namespace Hearth.Inference;

/// <summary>
/// One sequence being processed: its KV cache, sized at creation. <see cref="Evaluate"/> appends tokens (prompt
/// processing in batches, or one decoded token) and returns the logits of the last one; <see cref="DecodeBatch"/>
/// advances several sessions by one token each in a single forward pass (continuous batching).
/// </summary>
public sealed partial class InferenceSession : IDisposable
{
    private readonly Model _model;
    private readonly KvCache _cache;
    private readonly float[] _logits;
    private readonly int[] _history; // [context] the token at each cached position
    private bool _disposed;
    private readonly RecurrentState? _recurrent;           // hybrid models: the recurrent layers' state
    private readonly RecurrentCheckpoints? _checkpoints;   // and its copies at earlier positions (prefix reuse)

    internal InferenceSession(Model model, int contextSize)
    {
        _model = model;
        ContextSize = contextSize;
        Position = 0;
        _cache = new KvCache(model.Config, contextSize);
        _logits = new float[model.Config.VocabSize];
        _history = new int[contextSize];
        if (model.Config.IsRecurrent)
        {
            _recurrent = new RecurrentState(model.Config);
            _checkpoints = new RecurrentCheckpoints(model.Config, model.Options.RecurrentCheckpoints);
        }
    }

    /// <summary>The model the session runs.</summary>
    /// <exception cref="ObjectDisposedException">The session was disposed.</exception>
    public Model Model
    {
        get
        {
            ThrowIfDisposed();
            return _model;
        }
    }

    /// <summary>Tokens the KV cache holds.</summary>
    /// <exception cref="ObjectDisposedException">The session was disposed.</exception>
    public int ContextSize
    {
        get
        {
            ThrowIfDisposed();
            return field;
        }
    }

    /// <summary>Number of tokens evaluated so far (the next token's position).</summary>
    /// <exception cref="ObjectDisposedException">The session was disposed.</exception>
    public int Position
    {
        get
        {
            ThrowIfDisposed();
            return field;
        }
        private set;
    }

    /// <summary>Bytes of memory held by the KV cache.</summary>
    /// <exception cref="ObjectDisposedException">The session was disposed.</exception>
    public long KvCacheBytes
    {
        get
        {
            ThrowIfDisposed();
            return _cache.ByteSize;
        }
    }

    /// <summary>Bytes of the recurrent layers' state (hybrid models; 0 otherwise) and of its allocated checkpoints.</summary>
    public long RecurrentStateBytes => (_recurrent?.ByteSize ?? 0) + (_checkpoints?.ByteSize ?? 0);

    /// <summary>Logits after the last evaluated token (// [n_vocab]).</summary>
    /// <exception cref="ObjectDisposedException">The session was disposed.</exception>
    public ReadOnlySpan<float> Logits
    {
        get
        {
            ThrowIfDisposed();
            return _logits;
        }
    }

    /// <summary>Set by the <see cref="InferenceEngine"/> while a generation runs in this session (one at a time).</summary>
    internal bool Busy { get; set; }

    internal bool IsDisposed => _disposed;

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Appends <paramref name="tokens"/> and returns the logits after the last one (// [n_vocab]); valid until the next call.</summary>
    /// <exception cref="ContextOverflowException">The tokens do not fit in the session's context.</exception>
    /// <exception cref="ObjectDisposedException">The session or its model was disposed.</exception>
    public ReadOnlySpan<float> Evaluate(ReadOnlySpan<int> tokens)
    {
        Run(tokens, false, _logits);
        return _logits;
    }

    /// <summary>Appends <paramref name="tokens"/> and writes every position's logits into <paramref name="logits"/> (// [n_tokens, n_vocab]).</summary>
    /// <exception cref="ContextOverflowException">The tokens do not fit in the session's context.</exception>
    /// <exception cref="ObjectDisposedException">The session or its model was disposed.</exception>
    public void EvaluateAll(ReadOnlySpan<int> tokens, Span<float> logits)
    {
        ThrowIfDisposed();
        int vocab = _model.Config.VocabSize;
        if (logits.Length < tokens.Length * vocab) throw new ArgumentException($"logits needs {tokens.Length * vocab} elements.", nameof(logits));
        Run(tokens, true, logits);
        logits.Slice((tokens.Length - 1) * vocab, vocab).CopyTo(_logits);
    }

    /// <summary>
    /// Appends <c>tokens[i]</c> to <c>sessions[i]</c> for every i in one forward pass (the sessions must belong to the same
    /// model and be distinct); afterwards each session's <see cref="Logits"/> holds its next-token logits.
    /// </summary>
    /// <exception cref="ArgumentException">The sessions belong to different models, or one appears twice.</exception>
    /// <exception cref="ContextOverflowException">A session's context is full.</exception>
    /// <exception cref="ObjectDisposedException">A session or the model was disposed.</exception>
    public static void DecodeBatch(ReadOnlySpan<InferenceSession> sessions, ReadOnlySpan<int> tokens)
    {
        if (sessions.Length != tokens.Length) throw new ArgumentException("One token per session is required.", nameof(tokens));
        if (sessions.IsEmpty) return;
        var model = sessions[0]._model;
        for (int i = 0; i < sessions.Length; i++)
        {
            var s = sessions[i];
            s.ThrowIfDisposed();
            if (s._model != model) throw new ArgumentException("All sessions must belong to the same model.", nameof(sessions));
            if (s.Position + 1 > s.ContextSize) throw new ContextOverflowException(s.Position + 1, s.ContextSize);
            for (int j = 0; j < i; j++)
            {
                if (sessions[j] == s) throw new ArgumentException("A session appears twice in the batch.", nameof(sessions));
            }
        }
        int vocab = model.Config.VocabSize;
        using var lease = model.Acquire();
        lock (model.ComputeLock)
        {
            var buf = model.Buffers(1);
            for (int i0 = 0; i0 < sessions.Length; i0 += buf.MaxBatch)
            {
                int n = Math.Min(buf.MaxBatch, sessions.Length - i0);
                for (int i = 0; i < n; i++)
                {
                    var s = sessions[i0 + i];
                    buf.TokenPos[i] = s.Position;
                    buf.TokenCache[i] = s._cache;
                    buf.TokenState[i] = s._recurrent;
                    buf.OutputRows[i] = i;
                }
                var scratch = model.BatchLogits(n);
                model.Transformer.Forward(tokens.Slice(i0, n), buf, model.Pool, buf.OutputRows.AsSpan(0, n), scratch);
                for (int i = 0; i < n; i++)
                {
                    var s = sessions[i0 + i];
                    scratch.AsSpan(i * vocab, vocab).CopyTo(s._logits);
                    s._history[s.Position] = tokens[i0 + i];
                    s.Position++;
                    if (s._recurrent != null) s._recurrent.Position = s.Position;
                }
            }
        }
    }

    /// <summary>
    /// Forgets everything after <paramref name="position"/> tokens (0 clears the session). A hybrid model's recurrent
    /// state cannot be cut back: it is restored from the latest checkpoint at or before <paramref name="position"/> (or
    /// cleared) and the kept tokens after that are evaluated again.
    /// </summary>
    /// <summary>Forgets everything after <paramref name="position"/> tokens (0 clears the session).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="position"/> is negative or past <see cref="Position"/>.</exception>
    /// <exception cref="ObjectDisposedException">The session was disposed.</exception>
    public void Rewind(int position)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(position, Position);
        if (_recurrent is null || position == Position)
        {
            Position = position;
            return;
        }
        int restored = RestoreCheckpoint(position);
        if (restored < position) Run(_history.AsSpan(restored, position - restored), false, _logits);
    }

    /// <summary>Forgets every token (the cache memory is kept for reuse).</summary>
    /// <exception cref="ObjectDisposedException">The session was disposed.</exception>
    public void Reset() => Rewind(0);

    // Recurrent state back to the best checkpoint at or before position (or empty); returns the position it describes.
    private int RestoreCheckpoint(int position)
    {
        _checkpoints!.DropAfter(position);
        var best = _checkpoints.Best(position);
        lock (_model.ComputeLock)
        {
            if (best is null) _recurrent!.Clear();
            else _recurrent!.CopyFrom(best);
        }
        Position = _recurrent.Position;
        return Position;
    }

    /// <summary>The longest prefix of <paramref name="common"/> tokens this session can keep without evaluating any:
    /// all of it for a transformer, the latest checkpoint within it for a hybrid model.</summary>
    private int ReusablePrefix(int common)
    {
        if (_recurrent is null || common >= Position) return common;
        return _checkpoints!.Best(common)?.Position ?? 0;
    }

    private void Run(ReadOnlySpan<int> tokens, bool allLogits, Span<float> logits)
    {
        ThrowIfDisposed();
        if (tokens.IsEmpty) throw new ArgumentException("No tokens to evaluate.", nameof(tokens));
        if (Position + tokens.Length > ContextSize) throw new ContextOverflowException(Position + tokens.Length, ContextSize);
        int vocab = _model.Config.VocabSize;
        using var lease = _model.Acquire();
        lock (_model.ComputeLock)
        {
            var buf = _model.Buffers(ContextSize);
            for (int i = 0; i < tokens.Length; i += buf.MaxBatch)
            {
                int n = Math.Min(buf.MaxBatch, tokens.Length - i);
                for (int t = 0; t < n; t++)
                {
                    buf.TokenPos[t] = Position + t;
                    buf.TokenCache[t] = _cache;
                    buf.TokenState[t] = _recurrent;
                    buf.OutputRows[t] = t;
                }
                bool last = i + n == tokens.Length;
                if (allLogits)
                {
                    _model.Transformer.Forward(tokens.Slice(i, n), buf, _model.Pool, buf.OutputRows.AsSpan(0, n), logits.Slice(i * vocab, n * vocab));
                }
                else
                {
                    // Only the final token's logits are needed; intermediate batches compute none.
                    var rows = last ? buf.OutputRows.AsSpan(n - 1, 1) : ReadOnlySpan<int>.Empty;
                    _model.Transformer.Forward(tokens.Slice(i, n), buf, _model.Pool, rows, last ? logits : Span<float>.Empty);
                }
                tokens.Slice(i, n).CopyTo(_history.AsSpan(Position));
                Position += n;
                if (_recurrent != null)
                {
                    _recurrent.Position = Position;
                    if (tokens.Length > 1) _checkpoints!.Save(_recurrent); // each prompt batch and the prompt's end
                }
            }
        }
    }

    /// <summary>Ends the session (a generation running in it ends with <see cref="ObjectDisposedException"/>). Idempotent.</summary>
    public void Dispose() => _disposed = true;
}
