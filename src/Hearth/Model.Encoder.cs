using System.Numerics.Tensors;
using Hearth.Models;
using Hearth.Tokenization;

namespace Hearth;

public sealed partial class Model
{
    /// <summary>Whether this is an encoder model (BERT family: embeddings and reranking only, no text generation).</summary>
    public bool IsEncoder => _encoder != null;

    /// <summary>
    /// How <see cref="Embed(IReadOnlyList{string})"/> pools token states: the file's <c>pooling_type</c> for encoders;
    /// <see cref="PoolingType.Mean"/> for decoder models (mean of the normalised final hidden states).
    /// </summary>
    public PoolingType Pooling => _encoder is null ? PoolingType.Mean : Config.Pooling;

    /// <summary>
    /// Embeddings of many texts, batched into as few forward passes as the batch size allows (texts are not split
    /// across passes): each text is tokenized with the model's special tokens, pooled as <see cref="Pooling"/> says and
    /// scaled to unit length (llama.cpp's default Euclidean normalisation), so dot products are cosine similarities.
    /// A reranking model (<see cref="PoolingType.Rank"/>) gives each input's classification-head outputs instead (one
    /// score per row, not normalised; <see cref="Rerank"/> builds the (query, document) inputs for you).
    /// </summary>
    /// <exception cref="NotSupportedException">The model states no pooling (one vector per token).</exception>
    /// <exception cref="ArgumentException">A text has no tokens or more than the model's positions.</exception>
    public float[][] Embed(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (_encoder is null)
        {
            var result = new float[texts.Count][];
            for (int i = 0; i < texts.Count; i++) result[i] = Embed(texts[i]);
            return result;
        }
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
        return PoolInputs(inputs, normalize: Config.Pooling != PoolingType.Rank);
    }

    /// <summary>
    /// Relevance scores of <paramref name="documents"/> for <paramref name="query"/> from a reranking model (pooling
    /// <see cref="PoolingType.Rank"/>): each pair is one input, built as llama.cpp's server builds it (the file's
    /// <c>tokenizer.chat_template.rerank</c> with {query} and {document}, else [BOS] query [EOS] [SEP] document [EOS]
    /// by the vocabulary's flags), all pairs batched; scores are the classification head's raw first output (higher is
    /// more relevant), in the order of <paramref name="documents"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">The model is not a reranker.</exception>
    public float[] Rerank(string query, IReadOnlyList<string> documents)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(documents);
        if (_encoder is null || Config.Pooling != PoolingType.Rank)
        {
            throw new NotSupportedException(
                $"This model ('{Config.Architecture}', pooling '{Pooling.ToString().ToLowerInvariant()}') is not a reranker; reranking needs a model with pooling 'rank' and a classification head.");
        }
        var inputs = new int[documents.Count][];
        for (int i = 0; i < documents.Count; i++) inputs[i] = RerankTokens(query, documents[i] ?? throw new ArgumentException("A document is null.", nameof(documents)));
        var rows = PoolInputs(inputs, normalize: false);
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

    // One vector per input: the encoder over batches of whole inputs, then pooling (and the rank head).
    private float[][] PoolInputs(int[][] inputs, bool normalize)
    {
        var c = Config;
        int d = c.EmbeddingLength, batch = Math.Max(1, Options.BatchSize);
        var result = new float[inputs.Length][];
        for (int i = 0; i < inputs.Length; i++)
        {
            if (inputs[i].Length == 0) throw new ArgumentException($"Input {i} has no tokens to embed.", nameof(inputs));
        }
        using var lease = Acquire(); // the mapping stays alive for the pass even if the model is disposed meanwhile
        lock (ComputeLock)
        {
            int first = 0;
            while (first < inputs.Length)
            {
                // As many whole inputs as fit the batch (an input longer than the batch runs alone).
                int count = 0, total = 0;
                while (first + count < inputs.Length && (count == 0 || total + inputs[first + count].Length <= batch))
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
                    result[first + i] = PoolOne(hidden.AsSpan(t * d, lengths[i] * d), lengths[i], normalize);
                    t += lengths[i];
                }
                first += count;
            }
        }
        return result;
    }

    private float[] PoolOne(ReadOnlySpan<float> states, int n, bool normalize)
    {
        var c = Config;
        int d = c.EmbeddingLength;
        var v = new float[d];
        switch (c.Pooling)
        {
            case PoolingType.Mean:
                for (int t = 0; t < n; t++) TensorPrimitives.Add(v, states.Slice(t * d, d), v);
                TensorPrimitives.Multiply(v, 1f / n, v);
                break;
            case PoolingType.Cls:
            case PoolingType.Rank:
                states[..d].CopyTo(v);
                break;
            case PoolingType.Last:
                states.Slice((n - 1) * d, d).CopyTo(v);
                break;
            default:
                throw new NotSupportedException($"Pooling '{c.Pooling}' gives no single vector per input.");
        }
        if (c.Pooling == PoolingType.Rank) return RankHead(v);
        if (normalize)
        {
            double sum = 0;
            foreach (float x in v) sum += (double)x * x;
            float scale = sum > 0 ? (float)(1.0 / Math.Sqrt(sum)) : 0f;
            TensorPrimitives.Multiply(v, scale, v);
        }
        return v;
    }

    // The classification head of a reranker: tanh(cls · x + b), then cls.output · that + b.
    private float[] RankHead(float[] pooled)
    {
        var w = _encoder!.Weights;
        var cur = pooled;
        if (w.Cls != null)
        {
            var y = new float[w.Cls.Rows];
            MatVec(w.Cls, cur, y);
            if (w.ClsBias != null) TensorPrimitives.Add(y, w.ClsBias, y);
            TensorPrimitives.Tanh(y, y);
            cur = y;
        }
        if (w.ClsOut != null)
        {
            var y = new float[w.ClsOut.Rows];
            MatVec(w.ClsOut, cur, y);
            if (w.ClsOutBias != null) TensorPrimitives.Add(y, w.ClsOutBias, y);
            cur = y;
        }
        return cur;
    }

    private static void MatVec(WeightMatrix w, float[] x, float[] y)
    {
        var act = Numerics.TensorTypes.Get(w.Traits.VecDotType);
        var q = new byte[act.RowBytes(w.Columns)];
        act.Quantize!(x, q);
        for (int r = 0; r < w.Rows; r++) y[r] = w.Traits.VecDot(w.Columns, w.Row(r), q);
    }
}
