using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// y[t, r] = W[r] · x[t] for every token t and row r, rows split into chunks across the worker pool. The activations
/// arrive already converted to the weights' vec-dot type (// [n_tokens, stride] bytes). One token (decoding) takes the
/// per-row dot; several (prompt processing) go through <see cref="Gemm"/>'s tiles. Reused across calls: no allocation.
/// </summary>
internal sealed unsafe class MatMulJob : IParallelJob
{
    private WeightMatrix _w = null!;
    private byte[] _x = null!;
    private float[] _y = null!;
    private int _stride;
    private int _tokens;
    private int _rowsPerChunk;
    private GemmKernel _gemm;

    public int ChunkCount { get; private set; }

    public void Set(WeightMatrix w, byte[] x, int stride, int nTokens, float[] y, int threads)
    {
        _w = w;
        _x = x;
        _stride = stride;
        _tokens = nTokens;
        _y = y;
        _gemm = nTokens > 1 ? Gemm.For(w.Type) : default;
        // Several chunks per thread balance uneven progress; at least 16 rows keep the per-chunk overhead small; a
        // multiple of 4 keeps whole GEMM tiles inside a chunk.
        int per = Math.Max(16, (w.Rows + threads * 4 - 1) / (threads * 4));
        _rowsPerChunk = (per + 3) & ~3;
        ChunkCount = (w.Rows + _rowsPerChunk - 1) / _rowsPerChunk;
    }

    public void Execute(int chunk, int threadIndex)
    {
        var w = _w;
        int r0 = chunk * _rowsPerChunk, r1 = Math.Min(w.Rows, r0 + _rowsPerChunk);
        int cols = w.Columns, rows = w.Rows;
        if (_tokens > 1)
        {
            fixed (byte* x = _x)
            fixed (float* y = _y)
            {
                Gemm.ComputeRows(w.Traits, _gemm, w.Data, w.RowBytes, cols, rows, x, _stride, _tokens, y, r0, r1);
            }
            return;
        }
        var dot = w.Traits.VecDot;
        var xt = _x.AsSpan(0, _stride);
        var y1 = _y;
        for (int r = r0; r < r1; r++) y1[r] = dot(cols, w.Row(r), xt);
    }
}
