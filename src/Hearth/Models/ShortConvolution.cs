using System.Numerics.Tensors;
using Hearth.Inference;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// LFM2's gated short convolution, the token mixer of its recurrent layers (llama.cpp's build_shortconv_block):
/// in_proj gives b, c, x (n_embd each); y = c ⊙ conv(b ⊙ x), a causal depth-wise convolution of l_cache taps whose last
/// l_cache − 1 inputs are the sequence's <see cref="RecurrentState"/>; then out_proj. Channels are split across the
/// worker pool, each walking the batch's tokens in order (a token's window is its own sequence's).
/// </summary>
internal sealed class ShortConvolution
{
    private readonly Transformer _model;
    private readonly ModelConfig _c;
    private readonly RowJob _rows = new();
    private readonly Action<int, int> _convChannels;
    private ForwardBuffers _buf = null!;
    private RecurrentLayerWeights _w = null!;
    private int _layer;
    private int _n;

    public ShortConvolution(Transformer model)
    {
        _model = model;
        _c = model.Config;
        _convChannels = ConvChannels;
    }

    /// <summary>The mixer of layer <paramref name="layer"/> for <paramref name="n"/> tokens: input in Xb (normed), output projection into Xb.</summary>
    public void Forward(int layer, LayerWeights L, int n, ForwardBuffers buf, WorkerPool pool)
    {
        int d = _c.EmbeddingLength;
        _model.Linear(L.Recurrent!.InProj, buf.Xb, n, buf.RecurrentIn, buf, pool);
        _buf = buf;
        _w = L.Recurrent;
        _layer = layer;
        _n = n;
        _rows.ForRows(pool, d, 8L * n * d * _c.ConvKernel, _convChannels);
        _model.Linear(L.Wo, buf.RecurrentOut, n, buf.Xb, buf, pool);
    }

    // Channels [c0, c1) of every token: bx = b ⊙ x (in x's place), the convolution step, y = c ⊙ conv.
    private void ConvChannels(int c0, int c1)
    {
        int d = _c.EmbeddingLength, width = c1 - c0;
        var buf = _buf;
        for (int t = 0; t < _n; t++)
        {
            var bcx = buf.RecurrentIn.AsSpan(t * 3 * d, 3 * d);
            var b = bcx.Slice(0, d);
            var gate = bcx.Slice(d, d);
            var x = bcx.Slice(2 * d, d);
            TensorPrimitives.Multiply(b.Slice(c0, width), x.Slice(c0, width), x.Slice(c0, width));
            var y = buf.RecurrentOut.AsSpan(t * d, d);
            RecurrentKernels.ConvStep(buf.TokenState[t]!.Conv(_layer), x, _w.ConvTaps, y, d, c0, c1);
            TensorPrimitives.Multiply(gate.Slice(c0, width), y.Slice(c0, width), y.Slice(c0, width));
        }
    }
}
