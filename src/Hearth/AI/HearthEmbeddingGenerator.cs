using Microsoft.Extensions.AI;

namespace Hearth.AI;

/// <summary>
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> over a local model: each text pooled the model's own way
/// (<see cref="Model.Pooling"/>: an encoder's or Qwen3-Embedding's stated pooling, a chat model's mean of the final
/// hidden states after the output norm) and scaled to unit length, all texts of a call batched into as few forward
/// passes as the batch size allows (see <see cref="Model.Embed(IReadOnlyList{string})"/>). A reranker gives scores, not
/// embeddings, and is refused. Thread-safe.
/// </summary>
public sealed class HearthEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly Model _model;
    private readonly bool _ownsModel;
    private readonly EmbeddingGeneratorMetadata _metadata;

    public HearthEmbeddingGenerator(Model model, string? modelId = null, bool ownsModel = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _ownsModel = ownsModel;
        ModelId = modelId ?? model.Config.Name ?? model.Config.Architecture;
        _metadata = new EmbeddingGeneratorMetadata("hearth", null, ModelId, model.EmbeddingDimensions);
    }

    public string ModelId { get; }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (options?.Dimensions is { } dims && dims != _model.EmbeddingDimensions)
            throw new ArgumentException($"This model's embeddings have {_model.EmbeddingDimensions} dimensions; {dims} were requested.", nameof(options));
        if (_model.Pooling is PoolingType.Rank or PoolingType.None)
        {
            throw new NotSupportedException($"This model pools by '{_model.Pooling.ToString().ToLowerInvariant()}', which gives no embedding per text; a reranker is used through Model.Rerank.");
        }
        var texts = values.ToList();
        return await Task.Run(() =>
        {
            var result = new GeneratedEmbeddings<Embedding<float>>(texts.Count);
            long tokens = 0;
            foreach (var text in texts)
            {
                ArgumentNullException.ThrowIfNull(text, nameof(values));
                int n = _model.Tokenizer.Encode(text, addSpecial: true, parseSpecial: true).Length;
                if (n == 0) throw new ArgumentException("A text has no tokens to embed.", nameof(values));
                tokens += n;
            }
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var vector in _model.Embed(texts))
            {
                result.Add(new Embedding<float>(vector) { ModelId = ModelId, CreatedAt = DateTimeOffset.UtcNow });
            }
            result.Usage = new UsageDetails { InputTokenCount = tokens, TotalTokenCount = tokens };
            return result;
        }, cancellationToken).ConfigureAwait(false);
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey != null) return null;
        if (serviceType == typeof(EmbeddingGeneratorMetadata)) return _metadata;
        if (serviceType == typeof(Model)) return _model;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
        if (_ownsModel) _model.Dispose();
    }
}
