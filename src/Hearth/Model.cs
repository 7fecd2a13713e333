using Hearth.Gguf;
using Hearth.Inference;
using Hearth.Models;
using Hearth.Numerics;
using Hearth.Tokenization;

namespace Hearth;

/// <summary>
/// A GGUF model loaded for inference. Loading maps the file and validates it; weights stay in the file (no copy).
/// Create an <see cref="InferenceSession"/> per conversation.
/// </summary>
public sealed partial class Model : IDisposable
{
    private readonly GgufFile _file;
    private readonly Lazy<Tokenizer> _tokenizer;

    private Model(GgufFile file, ModelOptions options)
    {
        _file = file;
        Options = options;
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
        Config = ModelConfig.FromGguf(file, arch, ModelValidator.VocabularyRows(embd));
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
        Pool = new WorkerPool(threads);
    }

    private static int DefaultContext(ModelConfig config) => Math.Min(config.ContextLength, 4096);

    public ModelConfig Config { get; }

    public ModelOptions Options { get; }

    /// <summary>The tokenizer described by the file's <c>tokenizer.ggml.*</c> metadata.</summary>
    public Tokenizer Tokenizer => _tokenizer.Value;

    /// <summary>The underlying GGUF file (metadata such as the chat template).</summary>
    public GgufFile File => _file;

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
        _buffers ??= new ForwardBuffers(Config, Math.Max(1, Options.BatchSize), contextSize, Pool.ThreadCount);
        _buffers.EnsureContext(contextSize);
        return _buffers;
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
            file.Dispose();
            throw;
        }
    }

    /// <summary>A new session with its own KV cache of <paramref name="contextSize"/> tokens (0 = the model's, at most 4096).</summary>
    /// <exception cref="ModelMemoryException">The session would need more memory than the machine has or than
    /// <see cref="ModelOptions.MemoryLimit"/> allows (checked before anything is allocated).</exception>
    /// <exception cref="NotSupportedException">The model is an encoder (embeddings, reranking), which cannot generate.</exception>
    public InferenceSession CreateSession(int contextSize = 0)
    {
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
        if (_batchLogits.Length < n * Config.VocabSize) _batchLogits = new float[n * Config.VocabSize];
        return _batchLogits;
    }

    internal ReferenceTransformer CreateReference(int contextSize) =>
        new(Config, Transformer.Arch, Transformer.Weights, contextSize);

    public void Dispose()
    {
        Pool.Dispose();
        _file.Dispose();
    }
}
