using System.Numerics.Tensors;
using Hearth.Inference;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// Causal grouped-query attention for a batch: one chunk per (token, head). Query token t at position startPos + t sees
/// cache positions 0..startPos + t; head h reads kv head h / (n_head / n_head_kv).
/// </summary>
internal sealed class AttentionJob : IParallelJob
{
    private ModelConfig _c = null!;
    private KvCache _cache = null!;
    private ForwardBuffers _buf = null!;
    private int _layer;
    private int _startPos;

    public void Set(ModelConfig c, KvCache cache, ForwardBuffers buf, int layer, int startPos, int nTokens)
    {
        _c = c;
        _cache = cache;
        _buf = buf;
        _layer = layer;
        _startPos = startPos;
        _ = nTokens;
    }

    /// <summary>
    /// llama.cpp multiplies the F16 cache with F16 copies of the queries and of the softmax weights (F16's vec-dot type is
    /// F16); rounding the same operands keeps Hearth's logits within ~1e-3 of llama.cpp's instead of ~4e-3.
    /// </summary>
    private static void RoundToHalf(Span<float> x)
    {
        for (int i = 0; i < x.Length; i++) x[i] = (float)(Half)x[i];
    }

    public void Execute(int chunk, int threadIndex)
    {
        var c = _c;
        int t = chunk / c.HeadCount, h = chunk % c.HeadCount;
        int hd = c.HeadDim, vhd = c.ValueHeadDim;
        int kvh = h / (c.HeadCount / c.HeadCountKv);
        int count = _startPos + t + 1;
        var q = _buf.Q.AsSpan(t * c.HeadCount * hd + h * hd, hd);
        RoundToHalf(q);
        var scores = _buf.Scores[threadIndex].AsSpan(0, count);
        var tmp = _buf.HeadScratch[threadIndex];
        float scale = 1.0f / MathF.Sqrt(hd);
        var keys = _cache.KeysUpTo(_layer, count);
        int kw = _cache.KeyWidth;
        for (int j = 0; j < count; j++)
        {
            TensorPrimitives.ConvertToSingle(keys.Slice(j * kw + kvh * hd, hd), tmp.AsSpan(0, hd));
            scores[j] = TensorPrimitives.Dot(q, tmp.AsSpan(0, hd)) * scale;
        }
        VectorOps.Softmax(scores);
        RoundToHalf(scores);
        var output = _buf.AttnOut.AsSpan(t * c.HeadCount * vhd + h * vhd, vhd);
        output.Clear();
        var values = _cache.ValuesUpTo(_layer, count);
        int vw = _cache.ValueWidth;
        for (int j = 0; j < count; j++)
        {
            TensorPrimitives.ConvertToSingle(values.Slice(j * vw + kvh * vhd, vhd), tmp.AsSpan(0, vhd));
            TensorPrimitives.MultiplyAdd(tmp.AsSpan(0, vhd), scores[j], output, output);
        }
    }
}
