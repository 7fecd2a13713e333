using Hearth.Gguf;
using Hearth.Inference;
using Hearth.Models;
using Hearth.Numerics;
using Hearth.Tokenization;

namespace Hearth;

/// <summary>
/// A GGUF model loaded for inference. Loading maps the file and validates it; weights stay in the file (no copy).
/// Create an <see cref="InferenceSession"/> per conversation; its <see cref="Engine"/> runs generations of many
/// sequences in one batch. Lifetime is explicit: the mapping is reference-counted by every operation that reads it, so
/// <see cref="Dispose"/> while a forward pass runs waits for nothing and crashes nothing — the mapping is released when
/// the last pass ends, and every later use of the model (or of its sessions and clients) throws
/// <see cref="ObjectDisposedException"/>.
/// </summary>
public sealed partial class Model : IDisposable
{
    private readonly GgufFile _file;
    private readonly Lazy<Tokenizer> _tokenizer;
    private readonly ModelConfig _config;
    private readonly ModelOptions _options;
    private readonly object _engineGate = new();
    private InferenceEngine? _engine;
    private int _references = 1; // the model's own, released by Dispose; one more per operation in flight
    private int _disposed;

    private Model(GgufFile file, ModelOptions options)
    {
        _file = file;
        _options = options;
        string arch = file.GetString("general.architecture") ?? throw new InvalidDataException(
            "The GGUF file has no general.architecture key; it is not a model (a vocabulary-only file?).");
        if (file.Tensors.Count == 0)
        {
            throw new InvalidDataException("The file has no tensors: it is a vocabulary-only GGUF, not a model (use it with 'hearth tokenize').");
        }
        var traits = Architectures.Get(arch);
        var embd = file.FindTensor("token_embd.weight") ?? throw new InvalidDataException(
            "The model is missing the required tensor 'token_embd.weight'.");
        _config = ModelConfig.FromGguf(file, arch, checked((int)embd.Rows));
        var weights = TransformerWeights.Load(file, _config);
        Transformer = new Transformer(_config, traits, weights);
        _tokenizer = new Lazy<Tokenizer>(() => Tokenizer.FromGguf(file));
        file.OwnedByModel = true;
        Pool = new WorkerPool(options.Threads > 0 ? options.Threads : WorkerPool.DefaultThreadCount);
    }

    /// <summary>The hyperparameters read from the file's metadata.</summary>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public ModelConfig Config
    {
        get
        {
            ThrowIfDisposed();
            return _config;
        }
    }

    /// <summary>How the model was loaded (threads, batch size).</summary>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public ModelOptions Options
    {
        get
        {
            ThrowIfDisposed();
            return _options;
        }
    }

    /// <summary>The tokenizer described by the file's <c>tokenizer.ggml.*</c> metadata.</summary>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public Tokenizer Tokenizer
    {
        get
        {
            ThrowIfDisposed();
            return _tokenizer.Value;
        }
    }

    /// <summary>The underlying GGUF file (metadata such as the chat template).</summary>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public GgufFile File
    {
        get
        {
            ThrowIfDisposed();
            return _file;
        }
    }

    /// <summary>Worker threads the forward pass runs on.</summary>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public int ThreadCount
    {
        get
        {
            ThrowIfDisposed();
            return Pool.ThreadCount;
        }
    }

    /// <summary>
    /// The engine loop of this model: one thread that owns its compute and advances every generation submitted to it
    /// (its <see cref="SlotPool"/>s and sessions) in one batched forward pass per step. Started on first use, stopped by
    /// <see cref="Dispose"/>.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public InferenceEngine Engine
    {
        get
        {
            lock (_engineGate)
            {
                ThrowIfDisposed();
                return _engine ??= new InferenceEngine(this);
            }
        }
    }

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(IsDisposed, this);

    /// <summary>
    /// Keeps the mapping (and the worker pool) alive for one operation; dispose the lease when it ends. Every path that
    /// reads weights takes one, so disposing the model while a forward pass runs cannot unmap the file under it.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    internal Lease Acquire()
    {
        while (true)
        {
            ThrowIfDisposed();
            int count = Volatile.Read(ref _references);
            if (count == 0) throw new ObjectDisposedException(GetType().FullName);
            if (Interlocked.CompareExchange(ref _references, count + 1, count) == count) return new Lease(this);
        }
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _references) != 0) return;
        Pool.Dispose();
        _file.Release();
    }

    /// <summary>One reference to the model's mapping (see <see cref="Acquire"/>).</summary>
    internal readonly struct Lease(Model model) : IDisposable
    {
        public void Dispose() => model.Release();
    }

    internal Transformer Transformer { get; }

    internal WorkerPool Pool { get; }

    /// <summary>Serialises forward passes on the shared worker pool and buffers.</summary>
    internal object ComputeLock { get; } = new();

    private ForwardBuffers? _buffers;

    /// <summary>The forward-pass scratch shared by this model's sessions, grown for <paramref name="contextSize"/>. Call under <see cref="ComputeLock"/>.</summary>
    internal ForwardBuffers Buffers(int contextSize)
    {
        _buffers ??= new ForwardBuffers(_config, Math.Max(1, _options.BatchSize), contextSize, Pool.ThreadCount);
        _buffers.EnsureContext(contextSize);
        return _buffers;
    }

    /// <summary>Opens and validates a GGUF model.</summary>
    /// <param name="path">The GGUF file.</param>
    /// <param name="options">Threads and batch size; null for the defaults.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="GgufFormatException">The file is not a valid GGUF file.</exception>
    /// <exception cref="InvalidDataException">The file is not a model Hearth can run (see the message).</exception>
    /// <exception cref="NotSupportedException">The architecture or a tensor type is not supported.</exception>
    public static Model Load(string path, ModelOptions? options = null)
    {
        var file = GgufFile.Open(path);
        try
        {
            return new Model(file, options ?? new ModelOptions());
        }
        catch
        {
            file.Release();
            throw;
        }
    }

    /// <summary>A new session with its own KV cache of <paramref name="contextSize"/> tokens (0 = the model's, at most 4096).</summary>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public InferenceSession CreateSession(int contextSize = 0)
    {
        ThrowIfDisposed();
        if (contextSize <= 0) contextSize = Math.Min(_config.ContextLength, 4096);
        lock (ComputeLock) Buffers(contextSize);
        return new InferenceSession(this, contextSize);
    }

    private float[] _batchLogits = [];

    /// <summary>Scratch for the logits of a decode batch (// [n, n_vocab]); grows only when the batch does. Under <see cref="ComputeLock"/>.</summary>
    internal float[] BatchLogits(int n)
    {
        if (_batchLogits.Length < n * _config.VocabSize) _batchLogits = new float[n * _config.VocabSize];
        return _batchLogits;
    }

    internal ReferenceTransformer CreateReference(int contextSize) =>
        new(_config, Transformer.Arch, Transformer.Weights, contextSize);

    /// <summary>
    /// Stops the <see cref="Engine"/> (generations in flight end with <see cref="ObjectDisposedException"/>) and releases
    /// the mapping once no forward pass uses it. Idempotent.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        InferenceEngine? engine;
        lock (_engineGate) engine = _engine;
        engine?.Shutdown();
        Release();
    }
}
