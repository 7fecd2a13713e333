using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// Bidirectional attention of an encoder batch: every token of a sequence attends to every token of the same sequence
/// (softmax(q·kᵀ / sqrt(head_dim)) · v, in F32 as llama.cpp's cache-less attention), one pool chunk per
/// (sequence, query head). K and V rows are [n_tokens, n_head_kv · head_dim]; grouped-query heads share a KV head. With
/// ALiBi (jina-bert-v2) each score gets slope_h · −|i − j| after the scaling, as ggml's soft_max_ext adds its mask; with a
/// symmetric window (ModernBERT's local layers) a query sees only the keys within window / 2 positions of it.
/// </summary>
internal sealed class EncoderAttentionJob : IParallelJob
{
    private ModelConfig _c = null!;
    private float[] _q = [], _k = [], _v = [], _out = [];
    private int[] _starts = [];
    private int[] _lengths = [];
    private float[][] _scores = [];
    private float[][] _keys = [];
    private float[][] _values = [];
    private int _sequences;
    private float[]? _alibi;
    private int _halfWindow;

    public int ChunkCount => _sequences * _c.HeadCount;

    public void Set(ModelConfig c, float[] q, float[] k, float[] v, float[] output, ReadOnlySpan<int> lengths, int threads, float[]? alibi = null, int window = 0)
    {
        _c = c;
        _alibi = alibi;
        _halfWindow = window > 0 ? window / 2 : int.MaxValue;
        (_q, _k, _v, _out) = (q, k, v, output);
        _sequences = lengths.Length;
        if (_starts.Length < lengths.Length)
        {
            _starts = new int[lengths.Length];
            _lengths = new int[lengths.Length];
        }
        int longest = 0;
        for (int s = 0, t = 0; s < lengths.Length; t += lengths[s], s++)
        {
            _starts[s] = t;
            _lengths[s] = lengths[s];
            longest = Math.Max(longest, lengths[s]);
        }
        // Per-thread scratch: scores of one query, and one KV head's keys/values gathered contiguous.
        if (_scores.Length < threads) Array.Resize(ref _scores, threads);
        if (_keys.Length < threads) Array.Resize(ref _keys, threads);
        if (_values.Length < threads) Array.Resize(ref _values, threads);
        for (int i = 0; i < threads; i++)
        {
            if (_scores[i] is null || _scores[i].Length < longest) _scores[i] = new float[longest];
            if (_keys[i] is null || _keys[i].Length < longest * c.HeadDim) _keys[i] = new float[longest * c.HeadDim];
            if (_values[i] is null || _values[i].Length < longest * c.HeadDim) _values[i] = new float[longest * c.HeadDim];
        }
    }

    public void Execute(int chunk, int threadIndex)
    {
        var c = _c;
        int s = chunk / c.HeadCount, h = chunk % c.HeadCount;
        int hd = c.HeadDim, kvh = h / (c.HeadCount / c.HeadCountKv);
        int qDim = c.HeadCount * hd, kvDim = c.HeadCountKv * hd;
        int start = _starts[s], len = _lengths[s];
        var keys = _keys[threadIndex].AsSpan(0, len * hd);
        var values = _values[threadIndex].AsSpan(0, len * hd);
        for (int j = 0; j < len; j++)
        {
            _k.AsSpan((start + j) * kvDim + kvh * hd, hd).CopyTo(keys.Slice(j * hd, hd));
            _v.AsSpan((start + j) * kvDim + kvh * hd, hd).CopyTo(values.Slice(j * hd, hd));
        }
        float scale = 1f / MathF.Sqrt(hd);
        for (int i = 0; i < len; i++)
        {
            // Keys j0..j1 (inclusive) are visible: all of the sequence, or the symmetric window around i.
            int j0 = (int)Math.Max(0L, (long)i - _halfWindow), j1 = (int)Math.Min(len - 1L, (long)i + _halfWindow), m = j1 - j0 + 1;
            var scores = _scores[threadIndex].AsSpan(0, m);
            var q = _q.AsSpan((start + i) * qDim + h * hd, hd);
            AttentionKernels.Scores(q, keys.Slice(j0 * hd, m * hd), hd, scale, scores);
            if (_alibi != null)
            {
                float slope = _alibi[h];
                for (int j = 0; j < m; j++) scores[j] += slope * -Math.Abs(i - (j0 + j));
            }
            VectorOps.Softmax(scores);
            AttentionKernels.WeightedSum(scores, values.Slice(j0 * hd, m * hd), hd, _out.AsSpan((start + i) * qDim + h * hd, hd));
        }
    }
}
