using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// y[t, r] = W[r] · x[t] for every token t and row r, rows split into chunks across the worker pool. Up to three
/// projections of the same input (Q, K, V; gate, up) run as one job, so they share one wake-up and one barrier. The
/// activations arrive already converted to the weights' vec-dot type (// [n_tokens, stride] bytes). One token
/// (decoding) takes 4-row tiles where the type has them, else the per-row dot; several (prompt processing) go through
/// <see cref="Gemm"/>'s tiles. Reused across
/// calls: no allocation.
/// </summary>
internal sealed unsafe class MatMulJob : IParallelJob
{
    public const int MaxMatrices = 3;

    private readonly WeightMatrix[] _w = new WeightMatrix[MaxMatrices];
    private readonly float[][] _y = new float[MaxMatrices][];
    private readonly GemmKernel[] _gemm = new GemmKernel[MaxMatrices];
    private readonly bool[] _panel = new bool[MaxMatrices];
    private readonly int[] _rowsPerChunk = new int[MaxMatrices];
    private readonly int[] _firstChunk = new int[MaxMatrices + 1];
    private byte[] _x = null!;
    private int[] _sums = [];
    private int _sumsCols;
    private int _stride;
    private int _tokens;
    private int _threads;
    private int _count;

    public int ChunkCount => _firstChunk[_count];

    /// <summary>Multiply-adds of the whole job (for the pool's run-inline decision).</summary>
    public long Work { get; private set; }

    public void Set(WeightMatrix w, byte[] x, int stride, int nTokens, float[] y, int threads)
    {
        Begin(x, stride, nTokens, threads);
        Add(w, y);
    }

    /// <summary>Starts a job over activations <paramref name="x"/>; then <see cref="Add"/> each projection.</summary>
    public void Begin(byte[] x, int stride, int nTokens, int threads)
    {
        _x = x;
        _stride = stride;
        _tokens = nTokens;
        _threads = threads;
        _count = 0;
        _sumsCols = 0;
        Work = 0;
    }

    /// <summary>Adds y = x·Wᵀ; every matrix of a job has the same columns and vec-dot type (they read the same x).</summary>
    public void Add(WeightMatrix w, float[] y)
    {
        int i = _count++;
        _w[i] = w;
        _y[i] = y;
        _gemm[i] = _tokens > 1 ? Gemm.For(w.Type) : Gemm.ForOneToken(w.Type);
        _panel[i] = _tokens >= GemmPanel.MinTokens && GemmPanel.Supports(w.Type);
        if (_panel[i] && _sumsCols != w.Columns) PrepareSums(w.Type, w.Columns);
        // Several chunks per thread balance uneven progress; at least 16 rows keep the per-chunk overhead small; a
        // multiple of 8 keeps whole GEMM tiles and row panels inside a chunk.
        int per = Math.Max(16, (w.Rows + _threads * 4 - 1) / (_threads * 4));
        _rowsPerChunk[i] = (per + 7) & ~7;
        _firstChunk[i + 1] = _firstChunk[i] + (w.Rows + _rowsPerChunk[i] - 1) / _rowsPerChunk[i];
        Work += (long)w.Rows * w.Columns * _tokens;
    }

    public void Execute(int chunk, int threadIndex)
    {
        int m = 0;
        while (chunk >= _firstChunk[m + 1]) m++;
        var w = _w[m];
        int r0 = (chunk - _firstChunk[m]) * _rowsPerChunk[m], r1 = Math.Min(w.Rows, r0 + _rowsPerChunk[m]);
        int cols = w.Columns, rows = w.Rows;
        if (_panel[m])
        {
            fixed (byte* x = _x)
            fixed (float* y = _y[m])
            fixed (int* sums = _sums)
            {
                int done = GemmPanel.ComputeRows(w.Type, w.Data, w.RowBytes, cols, rows, x, _stride, sums, _tokens, y, r0, r1);
                if (done < r1) Gemm.ComputeRows(w.Traits, _gemm[m], w.Data, w.RowBytes, cols, rows, x, _stride, _tokens, y, done, r1);
            }
            return;
        }
        if (_tokens > 1 || _gemm[m].IsAvailable)
        {
            fixed (byte* x = _x)
            fixed (float* y = _y[m])
            {
                Gemm.ComputeRows(w.Traits, _gemm[m], w.Data, w.RowBytes, cols, rows, x, _stride, _tokens, y, r0, r1);
            }
            return;
        }
        var dot = w.Traits.VecDot;
        var xt = _x.AsSpan(0, _stride);
        var y1 = _y[m];
        for (int r = r0; r < r1; r++) y1[r] = dot(cols, w.Row(r), xt);
    }

    /// <summary>The activation block sums the row panels start from, once per job (all its matrices read the same x).</summary>
    private void PrepareSums(GgmlType type, int cols)
    {
        int need = GemmPanel.SumsPerToken(type, cols) * _tokens;
        if (_sums.Length < need) _sums = new int[need];
        fixed (byte* x = _x)
        fixed (int* sums = _sums)
        {
            GemmPanel.Sums(type, x, _stride, _tokens, cols, sums);
        }
        _sumsCols = cols;
    }
}
