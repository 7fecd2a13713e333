using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// y[t, r] = W[r] · x[t] for every token t and row r, rows split into chunks across the worker pool. The activations
/// arrive already converted to the weights' vec-dot type (// [n_tokens, stride] bytes). Reused across calls: no allocation.
/// </summary>
internal sealed class MatMulJob : IParallelJob
{
    private WeightMatrix _w = null!;
    private byte[] _x = null!;
    private float[] _y = null!;
    private int _stride;
    private int _tokens;
    private int _rowsPerChunk;

    public int ChunkCount { get; private set; }

    public void Set(WeightMatrix w, byte[] x, int stride, int nTokens, float[] y, int threads)
    {
        _w = w;
        _x = x;
        _stride = stride;
        _tokens = nTokens;
        _y = y;
        // Several chunks per thread balance uneven progress; at least 16 rows keep the per-chunk overhead small.
        _rowsPerChunk = Math.Max(16, (w.Rows + threads * 4 - 1) / (threads * 4));
        ChunkCount = (w.Rows + _rowsPerChunk - 1) / _rowsPerChunk;
    }

    public void Execute(int chunk, int threadIndex)
    {
        var w = _w;
        var dot = w.Traits.VecDot;
        int r0 = chunk * _rowsPerChunk, r1 = Math.Min(w.Rows, r0 + _rowsPerChunk);
        int cols = w.Columns, rows = w.Rows;
        for (int r = r0; r < r1; r++)
        {
            var row = w.Row(r);
            for (int t = 0; t < _tokens; t++)
            {
                _y[t * rows + r] = dot(cols, row, _x.AsSpan(t * _stride, _stride));
            }
        }
    }
}
