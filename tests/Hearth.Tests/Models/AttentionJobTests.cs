using Hearth.Inference;
using Hearth.Models;
using Hearth.Numerics;

namespace Hearth.Tests.Models;

/// <summary>
/// The pooled, vectorised attention job against a plain-loop reference written from the definition (double sums):
/// causal attention of each token over its sequence's F16 cache, sliding windows, soft-cap, scale, grouped-query heads;
/// with the same F16 roundings of the query and of the softmax weights that llama.cpp makes (and the job documents).
/// Random Q/K/V, head sizes with and without vector tails, GQA ratios 1/4/7, several sequences in one batch.
/// </summary>
public class AttentionJobTests
{
    [Theory]
    [InlineData(4, 4, 64, 0, 0f)]     // plain multi-head
    [InlineData(8, 2, 80, 0, 0f)]     // GQA 4, head 80 (2.5 vectors of 32)
    [InlineData(7, 1, 96, 0, 0f)]     // GQA 7 (odd group), head 96
    [InlineData(8, 2, 36, 5, 0f)]     // head 36: a 4-wide tail; sliding window of 5
    [InlineData(4, 1, 96, 9, 30f)]    // window and soft-cap (Gemma 2)
    [InlineData(14, 2, 64, 0, 50f)]   // GQA 7 with soft-cap
    [InlineData(2, 1, 5, 0, 0f)]      // head 5: all tail, no whole vector
    public void Pooled_attention_matches_the_reference(int heads, int kvHeads, int headDim, int window, float softcap)
    {
        var c = Config(heads, kvHeads, headDim);
        const int context = 96, batch = 72;
        var rnd = new Random(heads * 1000 + headDim * 10 + window);
        using var pool = new WorkerPool(2);
        var buf = new ForwardBuffers(c, batch, context, pool.ThreadCount);
        var a = new KvCache(c, context);
        var b = new KvCache(c, context);
        // Sequence a already holds 20 positions; the batch brings a's positions 20..59, then b's 0..31 (a prompt).
        Fill(a, c, 0, 20, rnd);
        int n = 0;
        for (int p = 20; p < 60; p++, n++) { buf.TokenCache[n] = a; buf.TokenPos[n] = p; }
        for (int p = 0; p < 32; p++, n++) { buf.TokenCache[n] = b; buf.TokenPos[n] = p; }
        for (int t = 0; t < n; t++) Fill(buf.TokenCache[t], c, buf.TokenPos[t], buf.TokenPos[t] + 1, rnd);
        int qDim = heads * headDim;
        for (int i = 0; i < n * qDim; i++) buf.Q[i] = (float)(rnd.NextDouble() * 4 - 2);
        var q = buf.Q.AsSpan(0, n * qDim).ToArray(); // the job rounds the queries in place
        float scale = 1 / MathF.Sqrt(headDim);

        var job = new AttentionJob();
        job.Set(c, buf, layer: 0, n, scale, softcap, window);
        pool.Run(job, job.ChunkCount);

        for (int t = 0; t < n; t++)
        {
            for (int h = 0; h < heads; h++)
            {
                double[] want = Reference(c, q.AsSpan((t * heads + h) * headDim, headDim), buf.TokenCache[t], buf.TokenPos[t], h, scale, softcap, window);
                for (int d = 0; d < headDim; d++)
                {
                    float got = buf.AttnOut[(t * heads + h) * headDim + d];
                    Assert.True(Math.Abs(got - want[d]) <= 2e-3 + 2e-3 * Math.Abs(want[d]),
                        $"token {t} (pos {buf.TokenPos[t]}) head {h} dim {d}: job {got}, reference {want[d]}");
                }
            }
        }
    }

    [Fact]
    public void Weighted_sum_paths_agree_bit_for_bit_and_scores_match_double_sums()
    {
        var rnd = new Random(7);
        foreach (int dim in new[] { 1, 7, 8, 17, 32, 33, 80, 96, 130 })
        {
            foreach (int count in new[] { 1, 3, 4, 5, 31 })
            {
                var v = new float[count * dim];
                var k = new float[count * dim];
                var w = new float[count];
                var q = new float[dim];
                for (int i = 0; i < v.Length; i++) { v[i] = (float)(rnd.NextDouble() * 2 - 1); k[i] = (float)(rnd.NextDouble() * 2 - 1); }
                for (int i = 0; i < count; i++) w[i] = (float)rnd.NextDouble();
                for (int i = 0; i < dim; i++) q[i] = (float)(rnd.NextDouble() * 2 - 1);

                var output = new float[dim];
                AttentionKernels.WeightedSum(w, v, dim, output);
                for (int d = 0; d < dim; d++)
                {
                    // Scalar definition with the same fused multiply-adds in the same order: identical bits.
                    float s = 0;
                    for (int j = 0; j < count; j++) s = MathF.FusedMultiplyAdd(w[j], v[j * dim + d], s);
                    Assert.Equal(s, output[d]);
                }

                var scores = new float[count];
                AttentionKernels.Scores(q, k, dim, 0.5f, scores);
                for (int j = 0; j < count; j++)
                {
                    double s = 0;
                    for (int d = 0; d < dim; d++) s += (double)q[d] * k[j * dim + d];
                    Assert.True(Math.Abs(scores[j] - s * 0.5) <= 1e-5 * dim, $"dim {dim} count {count} key {j}: {scores[j]} vs {s * 0.5}");
                }
            }
        }
    }

    private static ModelConfig Config(int heads, int kvHeads, int headDim) => new()
    {
        Architecture = "llama",
        EmbeddingLength = heads * headDim,
        BlockCount = 1,
        FeedForwardLength = 32,
        HeadCount = heads,
        HeadCountKv = kvHeads,
        HeadDim = headDim,
        ValueHeadDim = headDim,
        RmsNormEps = 1e-5f,
        RopeFreqBase = 10000,
        RopeFreqScale = 1,
        RopeDimensionCount = headDim,
        ContextLength = 96,
        VocabSize = 32,
    };

    private static void Fill(KvCache cache, ModelConfig c, int from, int to, Random rnd)
    {
        for (int p = from; p < to; p++)
        {
            var k = cache.Keys(0, p);
            var v = cache.Values(0, p);
            for (int i = 0; i < k.Length; i++) k[i] = (Half)(rnd.NextDouble() * 4 - 2);
            for (int i = 0; i < v.Length; i++) v[i] = (Half)(rnd.NextDouble() * 4 - 2);
        }
    }

    // Attention of one query head at position pos, from the definition.
    private static double[] Reference(ModelConfig c, ReadOnlySpan<float> query, KvCache cache, int pos, int head,
        float scale, float softcap, int window)
    {
        int hd = c.HeadDim, kvh = head / (c.HeadCount / c.HeadCountKv);
        int first = window > 0 ? Math.Max(0, pos + 1 - window) : 0;
        var q = new double[hd];
        for (int d = 0; d < hd; d++) q[d] = (float)(Half)query[d];
        var scores = new double[pos + 1 - first];
        for (int j = first; j <= pos; j++)
        {
            var k = cache.Keys(0, j).Slice(kvh * hd, hd);
            double s = 0;
            for (int d = 0; d < hd; d++) s += q[d] * (double)k[d];
            if (softcap != 0) s = softcap * Math.Tanh(s / softcap);
            scores[j - first] = s * scale;
        }
        double max = scores.Max(), sum = 0;
        for (int j = 0; j < scores.Length; j++) sum += scores[j] = Math.Exp(scores[j] - max);
        var output = new double[hd];
        for (int j = first; j <= pos; j++)
        {
            double w = (double)(Half)(float)(scores[j - first] / sum);
            var v = cache.Values(0, j).Slice(kvh * hd, hd);
            for (int d = 0; d < hd; d++) output[d] += w * (double)v[d];
        }
        return output;
    }
}
