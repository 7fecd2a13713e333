using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// The one projection block every layer kind uses (attention, latent attention, experts, recurrent mixers, encoders):
/// y_i = x·W_iᵀ for up to three matrices of one input. The input is converted to the first weight's activation type
/// once per call, into scratch the caller owns, and every matrix sharing that type and width runs on that conversion as
/// one pool job (one barrier); a matrix of another activation type converts the input again for itself. Nothing is
/// cached between calls, so no caller has to say when an input changed.
/// </summary>
internal sealed class Projector
{
    private readonly MatMulJob _matMul = new();

    /// <summary>Bytes of scratch <see cref="Project"/> needs for <paramref name="n"/> rows of <paramref name="w"/>'s input.</summary>
    public static long ScratchBytes(WeightMatrix w, int n) => n * TensorTypes.Get(w.Traits.VecDotType).RowBytes(w.Columns);

    // input: [n, w0.Columns]; y_i: [n, w_i.Rows]; scratch: at least ScratchBytes(w0, n) (and for w1/w2 when not fused).
    public void Project(WorkerPool pool, float[] input, int n, byte[] scratch, WeightMatrix w0, float[] y0,
        WeightMatrix? w1 = null, float[]? y1 = null, WeightMatrix? w2 = null, float[]? y2 = null)
    {
        var act = TensorTypes.Get(w0.Traits.VecDotType);
        int cols = w0.Columns, stride = (int)act.RowBytes(cols);
        for (int t = 0; t < n; t++) act.Quantize!(input.AsSpan(t * cols, cols), scratch.AsSpan(t * stride, stride));
        _matMul.Begin(scratch, stride, n, pool.ThreadCount);
        _matMul.Add(w0, y0);
        bool fuse1 = w1 != null && w1.Traits.VecDotType == act.Type && w1.Columns == cols;
        bool fuse2 = w2 != null && w2.Traits.VecDotType == act.Type && w2.Columns == cols;
        if (fuse1) _matMul.Add(w1!, y1!);
        if (fuse2) _matMul.Add(w2!, y2!);
        pool.Run(_matMul, _matMul.ChunkCount, _matMul.Work);
        if (w1 != null && !fuse1) Project(pool, input, n, scratch, w1, y1!);
        if (w2 != null && !fuse2) Project(pool, input, n, scratch, w2, y2!);
    }
}
