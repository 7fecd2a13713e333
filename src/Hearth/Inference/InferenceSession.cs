namespace Hearth.Inference;

/// <summary>
/// One sequence being processed: a KV cache and scratch buffers sized at creation. <see cref="Evaluate"/> appends
/// tokens (prompt processing in batches, or one decoded token) and returns the logits of the last one.
/// </summary>
public sealed class InferenceSession : IDisposable
{
    private readonly Model _model;
    private readonly KvCache _cache;
    private readonly ForwardBuffers _buffers;

    internal InferenceSession(Model model, int contextSize)
    {
        _model = model;
        ContextSize = contextSize;
        _cache = new KvCache(model.Config, contextSize);
        _buffers = new ForwardBuffers(model.Config, Math.Min(model.Options.BatchSize, contextSize), contextSize, model.Pool.ThreadCount);
    }

    public Model Model => _model;

    /// <summary>Tokens the KV cache holds.</summary>
    public int ContextSize { get; }

    /// <summary>Number of tokens evaluated so far (the next token's position).</summary>
    public int Position { get; private set; }

    /// <summary>Bytes of memory held by the KV cache.</summary>
    public long KvCacheBytes => _cache.ByteSize;

    /// <summary>Appends <paramref name="tokens"/> and returns the logits after the last one (// [n_vocab]); valid until the next call.</summary>
    public ReadOnlySpan<float> Evaluate(ReadOnlySpan<int> tokens)
    {
        Run(tokens, Span<float>.Empty);
        return _buffers.Logits;
    }

    /// <summary>Appends <paramref name="tokens"/> and writes every position's logits into <paramref name="logits"/> (// [n_tokens, n_vocab]).</summary>
    public void EvaluateAll(ReadOnlySpan<int> tokens, Span<float> logits)
    {
        int vocab = _model.Config.VocabSize;
        if (logits.Length < tokens.Length * vocab) throw new ArgumentException($"logits needs {tokens.Length * vocab} elements.", nameof(logits));
        Run(tokens, logits);
    }

    /// <summary>Forgets everything after <paramref name="position"/> tokens (0 clears the session).</summary>
    public void Rewind(int position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(position, Position);
        Position = position;
    }

    public void Reset() => Position = 0;

    private void Run(ReadOnlySpan<int> tokens, Span<float> allLogits)
    {
        if (tokens.IsEmpty) throw new ArgumentException("No tokens to evaluate.", nameof(tokens));
        if (Position + tokens.Length > ContextSize) throw new ContextOverflowException(Position + tokens.Length, ContextSize);
        int vocab = _model.Config.VocabSize;
        lock (_model.ComputeLock)
        {
            for (int i = 0; i < tokens.Length; i += _buffers.MaxBatch)
            {
                int n = Math.Min(_buffers.MaxBatch, tokens.Length - i);
                var chunkLogits = allLogits.IsEmpty ? Span<float>.Empty : allLogits.Slice(i * vocab, n * vocab);
                _model.Transformer.Forward(tokens.Slice(i, n), Position, _cache, _buffers, _model.Pool, chunkLogits);
                Position += n;
            }
        }
    }

    public void Dispose()
    {
    }
}
