using System.Numerics.Tensors;
using Hearth.Inference;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// Causal grouped-query attention for a batch: one chunk per (token, head). Token t at position p of its sequence sees
/// positions 0..p of that sequence's cache; head h reads kv head h / (n_head / n_head_kv).
/// </summary>
internal sealed class AttentionJob : IParallelJob
{
    private ModelConfig _c = null!;
    private ForwardBuffers _buf = null!;
    private int _layer;

    public void Set(ModelConfig c, ForwardBuffers buf, int layer)
    {
        _c = c;
        _buf = buf;
        _layer = layer;
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
        var cache = _buf.TokenCache[t];
        int count = _buf.TokenPos[t] + 1;
        var q = _buf.Q.AsSpan(t * c.HeadCount * hd + h * hd, hd);
        RoundToHalf(q);
        var scores = _buf.Scores[threadIndex].AsSpan(0, count);
        var tmp = _buf.HeadScratch[threadIndex];
        float scale = 1.0f / MathF.Sqrt(hd);
        var keys = cache.KeysUpTo(_layer, count);
        int kw = cache.KeyWidth;
        for (int j = 0; j < count; j++)
        {
            TensorPrimitives.ConvertToSingle(keys.Slice(j * kw + kvh * hd, hd), tmp.AsSpan(0, hd));
            scores[j] = TensorPrimitives.Dot(q, tmp.AsSpan(0, hd)) * scale;
        }
        VectorOps.Softmax(scores);
        RoundToHalf(scores);
        var output = _buf.AttnOut.AsSpan(t * c.HeadCount * vhd + h * vhd, vhd);
        output.Clear();
        var values = cache.ValuesUpTo(_layer, count);
        int vw = cache.ValueWidth;
        for (int j = 0; j < count; j++)
        {
            TensorPrimitives.ConvertToSingle(values.Slice(j * vw + kvh * vhd, vhd), tmp.AsSpan(0, vhd));
            TensorPrimitives.MultiplyAdd(tmp.AsSpan(0, vhd), scores[j], output, output);
        }
    }
}
