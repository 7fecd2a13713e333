using System.Numerics.Tensors;
using Hearth.Inference;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// Multi-head latent attention (DeepSeek-V2/V3) with the absorbed form llama.cpp uses: each token's keys and values are
/// one RMS-normed latent c (kv_lora_rank) plus a rope key k_pe shared by all heads, and only [c, k_pe] is cached (F16).
/// Per head h: q_latent = W_kb[h] · q_nope, score_j = (q_latent · c_j + q_pe · k_pe_j) · kq_scale, o = Σ softmax_j c_j,
/// value = W_vb[h] · o; then the output projection. This equals decompressing every cached latent into full keys and
/// values (W_kb, W_vb are the key and value halves of attn_kv_b) at a fraction of the cache and of the work.
/// Chunks of the three per-head steps are (token, head) pairs.
/// </summary>
internal sealed class LatentAttention : IParallelJob
{
    private readonly Transformer _model;
    private readonly ModelConfig _c;
    private readonly float _kqScale;
    private ForwardBuffers _buf = null!;
    private LatentAttentionWeights _w = null!;
    private int _layer;
    private int _phase;

    public LatentAttention(Transformer model)
    {
        _model = model;
        _c = model.Config;
        _kqScale = _c.Rope.LatentKqScale(_c.RopeFreqScale, _c.MlaKeyDim);
    }

    /// <summary>Attention of layer <paramref name="layer"/> for <paramref name="n"/> tokens: input in Xb (normed), output projection into Xb.</summary>
    public void Forward(int layer, LayerWeights L, int n, ForwardBuffers buf, WorkerPool pool)
    {
        var c = _c;
        var w = L.Latent!;
        int heads = c.HeadCount, r = c.KvLoraRank, rope = c.RopeDimensionCount, kd = c.MlaKeyDim, nope = kd - rope;
        _buf = buf;
        _w = w;
        _layer = layer;

        // The latent KV and the query (or its low-rank first half) project the same input: one conversion, one job.
        if (w.Wq != null)
        {
            _model.Linear(buf.Xb, n, buf, pool, w.WkvA, buf.LatentKv, w.Wq, buf.LatentQ);
        }
        else
        {
            _model.Linear(buf.Xb, n, buf, pool, w.WkvA, buf.LatentKv, w.WqA!, buf.QLora);
            int ql = c.QLoraRank;
            for (int t = 0; t < n; t++) VectorOps.RmsNorm(buf.QLora.AsSpan(t * ql, ql), w.QANorm, c.RmsNormEps, buf.QLora.AsSpan(t * ql, ql));
            _model.Linear(w.WqB!, buf.QLora, n, buf.LatentQ, buf, pool);
        }

        for (int t = 0; t < n; t++)
        {
            int pos = buf.TokenPos[t];
            var kv = buf.LatentKv.AsSpan(t * (r + rope), r + rope);
            VectorOps.RmsNorm(kv[..r], w.KvANorm, c.RmsNormEps, kv[..r]);
            _model.ApplyRope(layer, kv[r..], 1, rope, pos);
            TensorPrimitives.ConvertToHalf(kv, buf.TokenCache[t].Keys(layer, pos));
            var q = buf.LatentQ.AsSpan(t * heads * kd, heads * kd);
            for (int h = 0; h < heads; h++) _model.ApplyRope(layer, q.Slice(h * kd + nope, rope), 1, rope, pos);
        }

        long context = buf.TokenPos[n - 1] + 1;
        Run(pool, 0, n, (long)n * heads * r * nope);
        Run(pool, 1, n, (long)n * heads * context * (2 * r + rope));
        Run(pool, 2, n, (long)n * heads * r * c.MlaValueDim);
        _model.Linear(L.Wo, buf.AttnOut, n, buf.Xb, buf, pool);
    }

    private void Run(WorkerPool pool, int phase, int n, long work)
    {
        _phase = phase;
        pool.Run(this, n * _c.HeadCount, work);
    }

    public void Execute(int chunk, int threadIndex)
    {
        switch (_phase)
        {
            case 0: Absorb(chunk, threadIndex); break;
            case 1: Attend(chunk, threadIndex); break;
            default: Decompress(chunk, threadIndex); break;
        }
    }

    // q_latent = W_kb[h] · q_nope, followed by q_pe: the query against [c, k_pe]. Rounded to F16 like llama.cpp's
    // conversion of the query for its product with the F16 cache.
    private void Absorb(int chunk, int threadIndex)
    {
        var c = _c;
        int heads = c.HeadCount, r = c.KvLoraRank, rope = c.RopeDimensionCount, kd = c.MlaKeyDim, nope = kd - rope;
        int t = chunk / heads, h = chunk % heads;
        var q = _buf.LatentQ.AsSpan(t * heads * kd + h * kd, kd);
        var qa = _buf.LatentQAbsorbed.AsSpan((t * heads + h) * (r + rope), r + rope);
        var kb = _w.KAbsorb[h];
        if (_w.KAbsorbTransposed)
        {
            // Rows of the fused kv_b are no-rope key dims: accumulate q_nope[i] · row i.
            var row = _buf.HeadScratch[threadIndex].AsSpan(0, r);
            var acc = qa[..r];
            acc.Clear();
            for (int i = 0; i < nope; i++)
            {
                kb.DequantizeRow(i, row);
                TensorPrimitives.MultiplyAdd(row, q[i], acc, acc);
            }
        }
        else
        {
            MatVec(kb, q[..nope], qa[..r], threadIndex);
        }
        q.Slice(nope, rope).CopyTo(qa[r..]);
        for (int i = 0; i < qa.Length; i++) qa[i] = (float)(Half)qa[i];
    }

    private void Attend(int chunk, int threadIndex)
    {
        var c = _c;
        int heads = c.HeadCount, r = c.KvLoraRank, rope = c.RopeDimensionCount, kw = r + rope;
        int t = chunk / heads, h = chunk % heads;
        var cache = _buf.TokenCache[t];
        int count = _buf.TokenPos[t] + 1;
        var qa = _buf.LatentQAbsorbed.AsSpan((t * heads + h) * kw, kw);
        var scores = _buf.Scores[threadIndex].AsSpan(0, count);
        var key = _buf.HeadScratch[threadIndex].AsSpan(0, kw);
        var keys = cache.KeysUpTo(_layer, count);
        for (int j = 0; j < count; j++)
        {
            TensorPrimitives.ConvertToSingle(keys.Slice(j * kw, kw), key);
            scores[j] = TensorPrimitives.Dot(qa, key) * _kqScale;
        }
        VectorOps.Softmax(scores);
        for (int j = 0; j < count; j++) scores[j] = (float)(Half)scores[j];
        var output = _buf.LatentAttn.AsSpan((t * heads + h) * r, r);
        output.Clear();
        var latent = key[..r];
        for (int j = 0; j < count; j++)
        {
            TensorPrimitives.ConvertToSingle(keys.Slice(j * kw, r), latent);
            TensorPrimitives.MultiplyAdd(latent, scores[j], output, output);
        }
    }

    // value head h = W_vb[h] · attended latent.
    private void Decompress(int chunk, int threadIndex)
    {
        var c = _c;
        int heads = c.HeadCount, r = c.KvLoraRank, v = c.MlaValueDim;
        int t = chunk / heads, h = chunk % heads;
        MatVec(_w.VDecompress[h], _buf.LatentAttn.AsSpan((t * heads + h) * r, r), _buf.AttnOut.AsSpan((t * heads + h) * v, v), threadIndex);
    }

    // y = w · x with x converted to the weights' vec-dot type in this thread's scratch, as a projection would.
    private void MatVec(WeightMatrix w, ReadOnlySpan<float> x, Span<float> y, int threadIndex)
    {
        var act = TensorTypes.Get(w.Traits.VecDotType);
        int bytes = (int)act.RowBytes(w.Columns);
        var xq = _buf.ThreadBytes[threadIndex].AsSpan(0, bytes);
        act.Quantize!(x, xq);
        var dot = w.Traits.VecDot;
        for (int row = 0; row < w.Rows; row++) y[row] = dot(w.Columns, w.Row(row), xq);
    }
}
