using System.Numerics.Tensors;
using Hearth.Inference;
using Hearth.Models;
using Hearth.Tokenization;

namespace Hearth;

public sealed partial class Model
{
    /// <summary>Whether this is an encoder model (BERT family: embeddings and reranking only, no text generation).</summary>
    public bool IsEncoder => _encoder != null;

    /// <summary>
    /// How <see cref="Embed(IReadOnlyList{string})"/> pools token states: the file's <c>pooling_type</c> (encoders,
    /// Qwen3-Embedding's <see cref="PoolingType.Last"/>, rerankers' <see cref="PoolingType.Rank"/>);
    /// <see cref="PoolingType.Mean"/> for decoder models that state none (the mean of the normalised final hidden states).
    /// </summary>
    public PoolingType Pooling => Config.Pooling;

    /// <summary>
    /// Embeddings of many texts, batched into as few forward passes as the batch size allows: each text is tokenized
    /// with the model's special tokens added and parsed (as llama.cpp's embedding tool does), pooled as
    /// <see cref="Pooling"/> says and scaled to unit length (llama.cpp's default Euclidean normalisation), so dot
    /// products are cosine similarities. For a decoder the pooled states are the final hidden states after the output
    /// norm. Qwen3-Embedding (last-token pooling) expects queries written as
    /// <c>"Instruct: " + task + "\nQuery: " + query</c> and documents as they are, each ending in the end-of-text token
    /// (added when the file sets <c>tokenizer.ggml.add_eos_token</c>; otherwise append <c>&lt;|endoftext|&gt;</c>). A reranking model (<see cref="PoolingType.Rank"/>) gives each input's classification-head
    /// outputs instead (one score per row for BERT-style rerankers, P(yes) and P(no) for Qwen3-Reranker; not normalised;
    /// <see cref="Rerank"/> builds the (query, document) inputs for you).
    /// </summary>
    /// <exception cref="NotSupportedException">The model states no pooling (one vector per token).</exception>
    /// <exception cref="ArgumentException">A text has no tokens or more than the model's positions.</exception>
    public float[][] Embed(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (Config.Pooling == PoolingType.None)
        {
            throw new NotSupportedException("This model states no pooling ('none'), so it gives one vector per token, not one per text.");
        }
        var inputs = new int[texts.Count][];
        for (int i = 0; i < texts.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(texts[i]);
            inputs[i] = Tokenizer.Encode(texts[i], addSpecial: true, parseSpecial: true);
        }
        return PoolInputs(inputs);
    }

    /// <summary>
    /// Relevance scores of <paramref name="documents"/> for <paramref name="query"/> from a reranking model (pooling
    /// <see cref="PoolingType.Rank"/>): each pair is one input, built as llama.cpp's server builds it (the file's
    /// <c>tokenizer.chat_template.rerank</c> with {query} and {document}, else [BOS] query [EOS] [SEP] document [EOS]
    /// by the vocabulary's flags), all pairs batched; scores are the classification head's first output (higher is
    /// more relevant: a raw logit for BERT-style rerankers, P(yes) in [0, 1] for Qwen3-Reranker), in the order of
    /// <paramref name="documents"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">The model is not a reranker.</exception>
    public float[] Rerank(string query, IReadOnlyList<string> documents)
    {
        return RerankScores(PoolInputs(RerankInputs(query, documents)));
    }

    /// <summary>The (query, document) inputs of <see cref="Rerank"/>, after checking the model is a reranker.</summary>
    internal int[][] RerankInputs(string query, IReadOnlyList<string> documents)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(documents);
        if (Config.Pooling != PoolingType.Rank)
        {
            throw new NotSupportedException(
                $"This model ('{Config.Architecture}', pooling '{Pooling.ToString().ToLowerInvariant()}') is not a reranker; reranking needs a model with pooling 'rank' and a classification head.");
        }
        var inputs = new int[documents.Count][];
        for (int i = 0; i < documents.Count; i++) inputs[i] = RerankTokens(query, documents[i] ?? throw new ArgumentException("A document is null.", nameof(documents)));
        return inputs;
    }

    /// <summary>Each row's first classification output: the relevance score.</summary>
    internal static float[] RerankScores(float[][] rows)
    {
        var scores = new float[rows.Length];
        for (int i = 0; i < rows.Length; i++) scores[i] = rows[i][0];
        return scores;
    }

    /// <summary>The token ids llama.cpp's server feeds a reranker for one (query, document) pair.</summary>
    internal int[] RerankTokens(string query, string document)
    {
        if (_file.GetString("tokenizer.chat_template.rerank") is { } template)
        {
            string prompt = template.Replace("{query}", query, StringComparison.Ordinal).Replace("{document}", document, StringComparison.Ordinal);
            return Tokenizer.Encode(prompt, addSpecial: false, parseSpecial: true);
        }
        return Tokenizer is VocabularyTokenizer v ? v.EncodePair(query, document) : [.. Tokenizer.Encode(query), .. Tokenizer.Encode(document, addSpecial: false)];
    }

    // The classification head of a rank-pooling model (null for any other pooling), made when the model loads.
    private readonly ClassifierHead? _rankHead;

    private ClassifierHead? CreateRankHead(ArchitectureTraits traits)
    {
        if (Config.Pooling != PoolingType.Rank) return null;
        if (_encoder is { } e)
        {
            var w = e.Weights;
            bool modern = w.Kind == EncoderKind.ModernBert;
            return new ClassifierHead
            {
                Dense = w.Cls, DenseBias = w.ClsBias, Output = w.ClsOut, OutputBias = w.ClsOutBias,
                PoolsMean = modern, GeluDense = modern, DenseNorm = w.ClsNorm, NormEps = Config.LayerNormEps,
            };
        }
        return ClassifierHead.LoadDecoder(_file, Config, lastTokenSoftmax: traits.LastTokenRank);
    }

    // One vector per input: the model's pooling, then the rank head or unit length.
    internal float[][] PoolInputs(IReadOnlyList<int[]> inputs)
    {
        ThrowIfDisposed();
        for (int i = 0; i < inputs.Count; i++)
        {
            if (inputs[i].Length == 0) throw new ArgumentException($"Input {i} has no tokens to embed.", nameof(inputs));
        }
        var pooling = Config.Pooling;
        float[][] pooled;
        if (_encoder != null)
        {
            pooled = EncoderPool(inputs, pooling != PoolingType.Rank ? pooling : _rankHead!.PoolsMean ? PoolingType.Mean : PoolingType.Cls);
        }
        else
        {
            // llama.cpp reads a decoder reranker's last token for Qwen3 and the first for others.
            var which = pooling != PoolingType.Rank ? pooling : _rankHead!.ReadsLastToken ? PoolingType.Last : PoolingType.Cls;
            pooled = DecoderPooling.Pool(this, inputs, which);
        }
        for (int i = 0; i < pooled.Length; i++)
        {
            if (pooling == PoolingType.Rank) pooled[i] = _rankHead!.Apply(pooled[i]);
            else Normalize(pooled[i]);
        }
        return pooled;
    }

    private static void Normalize(float[] v)
    {
        double sum = 0;
        foreach (float x in v) sum += (double)x * x;
        float scale = sum > 0 ? (float)(1.0 / Math.Sqrt(sum)) : 0f;
        TensorPrimitives.Multiply(v, scale, v);
    }

    // The encoder over batches of whole inputs, pooled (not normalised).
    private float[][] EncoderPool(IReadOnlyList<int[]> inputs, PoolingType pooling)
    {
        var c = Config;
        int d = c.EmbeddingLength, batch = Math.Max(1, Options.BatchSize);
        var result = new float[inputs.Count][];
        using var lease = Acquire(); // the mapping stays alive for the pass even if the model is disposed meanwhile
        lock (ComputeLock)
        {
            int first = 0;
            while (first < inputs.Count)
            {
                // As many whole inputs as fit the batch (an input longer than the batch runs alone).
                int count = 0, total = 0;
                while (first + count < inputs.Count && (count == 0 || total + inputs[first + count].Length <= batch))
                {
                    total += inputs[first + count].Length;
                    count++;
                }
                var tokens = new int[total];
                var lengths = new int[count];
                for (int i = 0, t = 0; i < count; i++)
                {
                    inputs[first + i].CopyTo(tokens, t);
                    lengths[i] = inputs[first + i].Length;
                    t += lengths[i];
                }
                var hidden = new float[(long)total * d];
                _encoder!.Forward(tokens, lengths, Pool, hidden);
                for (int i = 0, t = 0; i < count; i++)
                {
                    result[first + i] = PoolOne(hidden.AsSpan(t * d, lengths[i] * d), lengths[i], pooling);
                    t += lengths[i];
                }
                first += count;
            }
        }
        return result;
    }

    private float[] PoolOne(ReadOnlySpan<float> states, int n, PoolingType pooling)
    {
        int d = Config.EmbeddingLength;
        var v = new float[d];
        switch (pooling)
        {
            case PoolingType.Mean:
                for (int t = 0; t < n; t++) TensorPrimitives.Add(v, states.Slice(t * d, d), v);
                TensorPrimitives.Multiply(v, 1f / n, v);
                break;
            case PoolingType.Cls:
                states[..d].CopyTo(v);
                break;
            case PoolingType.Last:
                states.Slice((n - 1) * d, d).CopyTo(v);
                break;
            default:
                throw new NotSupportedException($"Pooling '{pooling}' gives no single vector per input.");
        }
        return v;
    }
}
