using System.Numerics.Tensors;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// The per-token element-wise steps of the forward pass (RMS norms, gated activations, residual adds, the attention
/// inputs' bias/norm/rope/cache step) split by token rows across the worker pool. During prompt processing each is
/// hundreds of rows; a decoding step (one row, or little work) runs on the calling thread as before. Every row is
/// computed exactly as the sequential loop computed it, so results do not depend on the split. Reused: no allocation.
/// </summary>
internal sealed class RowJob : IParallelJob
{
    private enum Op { RmsNorm, SwiGlu, GeluGlu, SwigluOai, Add, Custom }

    private Op _op;
    private float[] _x = [];
    private float[] _y = [];
    private float[] _weight = [];
    private float _eps;
    private int _rows;
    private int _width;
    private int _rowsPerChunk;
    private Action<int, int>? _body;

    /// <summary>y[r] = RmsNorm(x[r]) · weight for each row; <paramref name="y"/> may be <paramref name="x"/>.</summary>
    // x, y: [rows, width]; weight: [width].
    public void RmsNorm(WorkerPool pool, float[] x, float[] weight, float eps, float[] y, int rows, int width)
    {
        _x = x;
        _y = y;
        _weight = weight;
        _eps = eps;
        Run(pool, Op.RmsNorm, rows, width, 3L * rows * width);
    }

    /// <summary>gate = act(gate) · up over the first rows × width elements (SwiGLU, GELU-tanh or gpt-oss's clamped SwiGLU).</summary>
    // gate, up: [rows, width].
    public void Glu(WorkerPool pool, FeedForwardActivation activation, float[] gate, float[] up, int rows, int width)
    {
        _x = gate;
        _y = up;
        var op = activation switch
        {
            FeedForwardActivation.GeluTanh => Op.GeluGlu,
            FeedForwardActivation.SwigluOai => Op.SwigluOai,
            _ => Op.SwiGlu,
        };
        Run(pool, op, rows, width, 16L * rows * width);
    }

    /// <summary>x += y over the first rows × width elements (the residual adds).</summary>
    // x, y: [rows, width].
    public void Add(WorkerPool pool, float[] x, float[] y, int rows, int width)
    {
        _x = x;
        _y = y;
        Run(pool, Op.Add, rows, width, (long)rows * width);
    }

    /// <summary>Calls <paramref name="body"/>(r0, r1) over row ranges covering [0, rows); ranges may run concurrently.</summary>
    public void ForRows(WorkerPool pool, int rows, long work, Action<int, int> body)
    {
        _body = body;
        Run(pool, Op.Custom, rows, 0, work);
        _body = null;
    }

    private void Run(WorkerPool pool, Op op, int rows, int width, long work)
    {
        if (rows <= 0) return;
        _op = op;
        _rows = rows;
        _width = width;
        // A few chunks per thread even out uneven progress on a loaded machine.
        int chunks = Math.Min(rows, pool.ThreadCount * 4);
        _rowsPerChunk = (rows + chunks - 1) / chunks;
        pool.Run(this, (rows + _rowsPerChunk - 1) / _rowsPerChunk, work);
    }

    public void Execute(int chunk, int threadIndex)
    {
        int r0 = chunk * _rowsPerChunk, r1 = Math.Min(_rows, r0 + _rowsPerChunk), w = _width;
        switch (_op)
        {
            case Op.RmsNorm:
                for (int r = r0; r < r1; r++) VectorOps.RmsNorm(_x.AsSpan(r * w, w), _weight, _eps, _y.AsSpan(r * w, w));
                break;
            case Op.SwiGlu:
                VectorOps.SwiGlu(_x.AsSpan(r0 * w, (r1 - r0) * w), _y.AsSpan(r0 * w, (r1 - r0) * w));
                break;
            case Op.SwigluOai:
                VectorOps.SwigluOai(_x.AsSpan(r0 * w, (r1 - r0) * w), _y.AsSpan(r0 * w, (r1 - r0) * w));
                break;
            case Op.GeluGlu:
                GeluTanh.Glu(_x.AsSpan(r0 * w, (r1 - r0) * w), _y.AsSpan(r0 * w, (r1 - r0) * w));
                break;
            case Op.Add:
                TensorPrimitives.Add(_x.AsSpan(r0 * w, (r1 - r0) * w), _y.AsSpan(r0 * w, (r1 - r0) * w), _x.AsSpan(r0 * w, (r1 - r0) * w));
                break;
            default:
                _body!(r0, r1);
                break;
        }
    }
}
