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
        string arch = file.GetString("general.architecture") ?? throw new ModelConfigurationException(
            "The GGUF file has no general.architecture key; it is not a model (a vocabulary-only file?).", "general.architecture");
        if (file.Tensors.Count == 0)
        {
            throw new ModelConfigurationException("The file has no tensors: it is a vocabulary-only GGUF, not a model (use it with 'hearth tokenize').");
        }
        var traits = Architectures.Get(arch);
        var embd = file.FindTensor("token_embd.weight") ?? throw new ModelConfigurationException(
            "The model is missing the required tensor 'token_embd.weight'.", "token_embd.weight");
        // Everything is checked before anything large is allocated (ModelValidator): hyper-parameters in 64-bit
        // arithmetic, block_count against the blocks present, a session's memory; then every tensor's shape; then the
        // tokenizer against the embedding.
        _config = ModelConfig.FromGguf(file, arch, ModelValidator.VocabularyRows(embd));
        ModelValidator.CheckHyperParameters(Config);
        ModelValidator.CheckVocabularySize(file, Config);
        int threads = options.Threads > 0 ? options.Threads : WorkerPool.DefaultThreadCount;
        ModelValidator.CheckSessionMemory(Config, Math.Max(1, options.BatchSize), DefaultContext(Config), threads, options.MemoryLimit);
        if (traits.CreateEncoder != null)
        {
            _encoder = traits.CreateEncoder(file, Config);
        }
        else
        {
            _transformer = new Transformer(Config, traits, TransformerWeights.Load(file, Config, traits));
        }
        _rankHead = CreateRankHead(traits);
        if (file.TryGetValue("tokenizer.ggml.model", out _))
        {
            var tokenizer = Tokenizer.FromGguf(file);
            ModelValidator.CheckTokenizer(tokenizer, Config);
            _tokenizer = new Lazy<Tokenizer>(tokenizer);
        }
        else
        {
            // No tokenizer: the model still runs on token ids; asking for the tokenizer reports what is missing.
            _tokenizer = new Lazy<Tokenizer>(() => Tokenizer.FromGguf(file));
        }
        file.OwnedByModel = true;
        Pool = new WorkerPool(threads);
    }

    private static int DefaultContext(ModelConfig config) => Math.Min(config.ContextLength, 4096);

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

    private readonly Transformer? _transformer;
    private readonly Encoder? _encoder;

    /// <summary>The decoder; an encoder model (embeddings, reranking) has none and says so.</summary>
    internal Transformer Transformer => _transformer ?? throw new NotSupportedException(
        $"'{Config.Architecture}' is an encoder model for embeddings and reranking; it cannot generate text. Use Embed or Rerank.");

    /// <summary>The encoder of an embedding / reranking model, or null for a decoder.</summary>
    internal Encoder? Encoder => _encoder;

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

    /// <summary>
    /// The name a model file goes by: its file name without <c>.gguf</c>, and for a split model's part
    /// (<c>NAME-00001-of-00003.gguf</c>) without the part suffix — what the server and <c>hearth list</c> show.
    /// </summary>
    /// <param name="path">A GGUF file's path.</param>
    public static string NameFromPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string name = Path.GetFileName(path);
        if (Gguf.GgufSplit.TryParsePath(name, out string prefix, out _, out _)) return prefix;
        return Path.GetFileNameWithoutExtension(name);
    }

    /// <summary>
    /// Opens a GGUF model and validates all of it (structure, hyper-parameters against the tensors' shapes, tokenizer
    /// against the embedding, the memory a session needs), so that a malformed or hostile file fails here with one of
    /// the exceptions below and never at the first generation.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="GgufFormatException">The file is not well-formed GGUF (bad magic, truncated, a count or length
    /// beyond the file), or a metadata value has the wrong type; <see cref="GgufFormatException.Offset"/> and
    /// <see cref="GgufFormatException.Key"/> say where.</exception>
    /// <exception cref="ModelConfigurationException">The file is GGUF but not a runnable model: a missing key or tensor,
    /// a hyper-parameter out of range or contradicting a tensor's shape, a vocabulary that does not match the embedding,
    /// a malformed tokenizer. (A subclass of <see cref="GgufFormatException"/>: catching that catches both.)</exception>
    /// <exception cref="NotSupportedException">The model is valid but uses an architecture, tensor type or tokenizer
    /// Hearth does not support; the message lists what is supported.</exception>
    /// <exception cref="ModelMemoryException">A session with the default context would need more memory than the
    /// machine has or than <see cref="ModelOptions.MemoryLimit"/> allows.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
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
    /// <exception cref="ModelMemoryException">The session would need more memory than the machine has or than
    /// <see cref="ModelOptions.MemoryLimit"/> allows (checked before anything is allocated).</exception>
    /// <exception cref="NotSupportedException">The model is an encoder (embeddings, reranking), which cannot generate.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public InferenceSession CreateSession(int contextSize = 0)
    {
        ThrowIfDisposed();
        _ = Transformer;
        if (contextSize <= 0) contextSize = DefaultContext(Config);
        ModelValidator.CheckSessionMemory(Config, Math.Max(1, Options.BatchSize), contextSize, Pool.ThreadCount, Options.MemoryLimit);
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
