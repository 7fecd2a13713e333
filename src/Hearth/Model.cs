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
        string arch = file.GetString("general.architecture") ?? throw new InvalidDataException(
            "The GGUF file has no general.architecture key; it is not a model (a vocabulary-only file?).");
        if (file.Tensors.Count == 0)
        {
            throw new InvalidDataException("The file has no tensors: it is a vocabulary-only GGUF, not a model (use it with 'hearth tokenize').");
        }
        var traits = Architectures.Get(arch);
        var embd = file.FindTensor("token_embd.weight") ?? throw new InvalidDataException(
            "The model is missing the required tensor 'token_embd.weight'.");
        Config = ModelConfig.FromGguf(file, arch, checked((int)embd.Rows));
        if (traits.CreateEncoder != null)
        {
            _encoder = traits.CreateEncoder(file, Config);
        }
        else
        {
            _transformer = new Transformer(Config, traits, TransformerWeights.Load(file, Config));
        }
        _tokenizer = new Lazy<Tokenizer>(() => Tokenizer.FromGguf(file));
        Pool = new WorkerPool(options.Threads > 0 ? options.Threads : WorkerPool.DefaultThreadCount);
    }

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

    /// <summary>Opens and validates a GGUF model.</summary>
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
    /// <exception cref="NotSupportedException">The model is an encoder (embeddings, reranking), which cannot generate.</exception>
    public InferenceSession CreateSession(int contextSize = 0)
    {
        _ = Transformer;
        if (contextSize <= 0) contextSize = Math.Min(Config.ContextLength, 4096);
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
