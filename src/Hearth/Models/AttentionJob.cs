using System.Numerics.Tensors;
using Hearth.Inference;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// Causal grouped-query attention for a batch: one chunk per (token, head). Token t at position p of its sequence sees
/// positions 0..p of that sequence's cache (only the last <c>window</c> of them in a sliding-window layer); head h reads
/// kv head h / (n_head / n_head_kv). Scores are q·k, soft-capped by tanh when asked (Gemma 2), then scaled.
/// </summary>
internal sealed class AttentionJob : IParallelJob
{
    private ModelConfig _c = null!;
    private ForwardBuffers _buf = null!;
    private int _layer;
    private float _scale;
    private float _softcap;
    private int _window;

    /// <param name="c">The model's hyper-parameters.</param>
    /// <param name="buf">The batch: queries, positions, caches, output.</param>
    /// <param name="layer">Layer whose cache is read.</param>
    /// <param name="scale">Factor on the scores (1 when the queries were scaled already).</param>
    /// <param name="softcap">Scores become softcap · tanh(score / softcap) before scaling; 0 = none.</param>
    /// <param name="window">Sliding window in positions; 0 = the whole context.</param>
    public void Set(ModelConfig c, ForwardBuffers buf, int layer, float scale, float softcap = 0, int window = 0)
    {
        _c = c;
        _buf = buf;
        _layer = layer;
        _scale = scale;
        _softcap = softcap;
        _window = window;
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
        int first = _window > 0 ? Math.Max(0, count - _window) : 0;
        var q = _buf.Q.AsSpan(t * c.HeadCount * hd + h * hd, hd);
        RoundToHalf(q);
        var scores = _buf.Scores[threadIndex].AsSpan(0, count - first);
        var tmp = _buf.HeadScratch[threadIndex];
        float scale = _scale, cap = _softcap;
        var keys = cache.KeysUpTo(_layer, count);
        int kw = cache.KeyWidth;
        for (int j = first; j < count; j++)
        {
            TensorPrimitives.ConvertToSingle(keys.Slice(j * kw + kvh * hd, hd), tmp.AsSpan(0, hd));
            float s = TensorPrimitives.Dot(q, tmp.AsSpan(0, hd));
            if (cap != 0) s = MathF.Tanh(s * (1.0f / cap)) * cap;
            scores[j - first] = s * scale;
        }
        VectorOps.Softmax(scores);
        RoundToHalf(scores);
        var output = _buf.AttnOut.AsSpan(t * c.HeadCount * vhd + h * vhd, vhd);
        output.Clear();
        var values = cache.ValuesUpTo(_layer, count);
        int vw = cache.ValueWidth;
        for (int j = first; j < count; j++)
        {
            TensorPrimitives.ConvertToSingle(values.Slice(j * vw + kvh * vhd, vhd), tmp.AsSpan(0, vhd));
            TensorPrimitives.MultiplyAdd(tmp.AsSpan(0, vhd), scores[j - first], output, output);
        }
    }
}
