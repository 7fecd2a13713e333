using Hearth.Inference;
using Microsoft.Extensions.AI;

namespace Hearth.AI;

/// <summary>
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> over a local model: each text pooled the model's own way
/// (<see cref="Model.Pooling"/>: an encoder's or Qwen3-Embedding's stated pooling, a chat model's mean of the final
/// hidden states after the output norm) and scaled to unit length, all texts of a call batched into as few forward
/// passes as the batch size allows (see <see cref="Model.Embed(IReadOnlyList{string})"/>), computed on the model's
/// <see cref="InferenceEngine"/> thread between its generation steps. A reranker gives scores, not embeddings, and is
/// refused. Thread-safe.
/// </summary>
public sealed class HearthEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly Model _model;
    private readonly bool _ownsModel;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private bool _disposed;

    /// <summary>A generator over <paramref name="model"/>.</summary>
    /// <param name="model">The model whose hidden states are pooled.</param>
    /// <param name="modelId">The id reported in embeddings and metadata; null uses <c>general.name</c> or the architecture.</param>
    /// <param name="ownsModel">Dispose the model when the generator is disposed.</param>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public HearthEmbeddingGenerator(Model model, string? modelId = null, bool ownsModel = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _ownsModel = ownsModel;
        ModelId = modelId ?? model.Config.Name ?? model.Config.Architecture;
        _metadata = new EmbeddingGeneratorMetadata("hearth", null, ModelId, model.EmbeddingDimensions);
    }

    /// <summary>The model id reported in embeddings.</summary>
    /// <exception cref="ObjectDisposedException">The generator was disposed.</exception>
    public string ModelId
    {
        get
        {
            ThrowIfDisposed();
            return field;
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A text has no tokens, or other dimensions were requested than the model has.</exception>
    /// <exception cref="NotSupportedException">The model is a reranker (or states no pooling).</exception>
    /// <exception cref="ObjectDisposedException">The generator or the model was disposed.</exception>
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        ThrowIfDisposed();
        int dimensions = _model.EmbeddingDimensions;
        if (options?.Dimensions is { } dims && dims != dimensions)
            throw new ArgumentException($"This model's embeddings have {dimensions} dimensions; {dims} were requested.", nameof(options));
        var tokenizer = _model.Tokenizer;
        var engine = _model.Engine;
        var inputs = new List<int[]>();
        foreach (var text in values)
        {
            ArgumentNullException.ThrowIfNull(text, nameof(values));
            var ids = tokenizer.Encode(text, addSpecial: true, parseSpecial: true);
            if (ids.Length == 0) throw new ArgumentException("A text has no tokens to embed.", nameof(values));
            inputs.Add(ids);
        }
        var result = new GeneratedEmbeddings<Embedding<float>>(inputs.Count);
        long tokens = 0;
        foreach (var ids in inputs) tokens += ids.Length;
        foreach (var vector in await engine.EmbedManyAsync(inputs, cancellationToken).ConfigureAwait(false))
        {
            result.Add(new Embedding<float>(vector) { ModelId = ModelId, CreatedAt = DateTimeOffset.UtcNow });
        }
        result.Usage = new UsageDetails { InputTokenCount = tokens, TotalTokenCount = tokens };
        return result;
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The generator was disposed.</exception>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        ThrowIfDisposed();
        if (serviceKey != null) return null;
        if (serviceType == typeof(EmbeddingGeneratorMetadata)) return _metadata;
        if (serviceType == typeof(Model)) return _model;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Ends the generator (and the model when it owns it). Idempotent.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_ownsModel) _model.Dispose();
    }
}
