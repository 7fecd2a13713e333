namespace Hearth.Numerics;

/// <summary>
/// y = x·Wᵀ for a weight matrix kept in its file format: each activation row is quantized once to the weight type's
/// <see cref="TensorTypeTraits.VecDotType"/> (as ggml's CPU backend does), then every (token, row) pair is one
/// <see cref="TensorTypeTraits.VecDot"/>. <see cref="ComputeRows"/> is the core over a row range so a worker pool can
/// split the rows across threads, all reading the same quantized activations.
/// </summary>
internal static class MatMul
{
    [ThreadStatic]
    private static byte[]? t_scratch;

    // weight: [rows, cols] in <paramref name="weightType"/>'s format, row-major.
    // x: [nTokens, cols] activations.
    // y: [nTokens, rows] output.
    public static void Compute(GgmlType weightType, ReadOnlySpan<byte> weight, int rows, int cols,
        ReadOnlySpan<float> x, int nTokens, Span<float> y) =>
        Compute(TensorTypes.Get(weightType), weight, rows, cols, x, nTokens, y);

    /// <summary>As <see cref="Compute(GgmlType, ReadOnlySpan{byte}, int, int, ReadOnlySpan{float}, int, Span{float})"/>,
    /// with a per-thread scratch buffer that only grows (no allocation in the steady state).</summary>
    public static void Compute(TensorTypeTraits weightType, ReadOnlySpan<byte> weight, int rows, int cols,
        ReadOnlySpan<float> x, int nTokens, Span<float> y)
    {
        int need = ActivationBytes(weightType, cols, nTokens);
        var scratch = t_scratch;
        if (scratch == null || scratch.Length < need) t_scratch = scratch = new byte[Math.Max(need, 4096)];
        Compute(weightType, weight, rows, cols, x, nTokens, y, scratch.AsSpan(0, need));
    }

    /// <summary>As above with a caller-provided scratch of at least <see cref="ActivationBytes"/> bytes.</summary>
    public static void Compute(TensorTypeTraits weightType, ReadOnlySpan<byte> weight, int rows, int cols,
        ReadOnlySpan<float> x, int nTokens, Span<float> y, Span<byte> scratch)
    {
        Validate(weightType, weight, rows, cols, nTokens, y);
        QuantizeActivations(weightType, x, nTokens, cols, scratch);
        ComputeRows(weightType, weight, rows, cols, scratch, nTokens, y, 0, rows);
    }

    /// <summary>Bytes needed for <paramref name="nTokens"/> activation rows of <paramref name="cols"/> in the weight type's dot partner.</summary>
    public static int ActivationBytes(TensorTypeTraits weightType, int cols, int nTokens)
    {
        var act = TensorTypes.Get(weightType.VecDotType);
        if (cols % weightType.BlockSize != 0 || cols % act.BlockSize != 0)
            throw new ArgumentException($"{weightType.Type}: a row of {cols} columns is not a multiple of the block size {Math.Max(weightType.BlockSize, act.BlockSize)}.", nameof(cols));
        return checked((int)act.RowBytes(cols) * nTokens);
    }

    // x: [nTokens, cols] activations.
    // dst: [nTokens, activation row bytes] in the weight type's <see cref="TensorTypeTraits.VecDotType"/>.
    public static void QuantizeActivations(TensorTypeTraits weightType, ReadOnlySpan<float> x, int nTokens, int cols, Span<byte> dst)
    {
        var act = TensorTypes.Get(weightType.VecDotType);
        int rowBytes = (int)act.RowBytes(cols);
        if (x.Length < (long)nTokens * cols)
            throw new ArgumentException($"Activations hold {x.Length} values, fewer than {nTokens} tokens × {cols} columns.", nameof(x));
        if (dst.Length < (long)nTokens * rowBytes)
            throw new ArgumentException($"Scratch holds {dst.Length} bytes, fewer than the {(long)nTokens * rowBytes} needed.", nameof(dst));
        var quantize = act.Quantize!;
        for (int t = 0; t < nTokens; t++) quantize(x.Slice(t * cols, cols), dst.Slice(t * rowBytes, rowBytes));
    }

    /// <summary>Computes y[t, r] for rows r in [rowStart, rowEnd) and every token: the unit of work a thread takes.</summary>
    // weight: [rows, cols] weights.
    // xq: [nTokens, activation row bytes] from <see cref="QuantizeActivations"/>.
    // y: [nTokens, rows] output.
    public static void ComputeRows(TensorTypeTraits weightType, ReadOnlySpan<byte> weight, int rows, int cols,
        ReadOnlySpan<byte> xq, int nTokens, Span<float> y, int rowStart, int rowEnd)
    {
        int wRowBytes = (int)weightType.RowBytes(cols);
        int aRowBytes = (int)TensorTypes.Get(weightType.VecDotType).RowBytes(cols);
        var dot = weightType.VecDot;
        // Row-outer: a weight row is read from memory once and stays in cache while every token uses it.
        for (int r = rowStart; r < rowEnd; r++)
        {
            var wRow = weight.Slice(r * wRowBytes, wRowBytes);
            for (int t = 0; t < nTokens; t++) y[t * rows + r] = dot(cols, wRow, xq.Slice(t * aRowBytes, aRowBytes));
        }
    }

    private static void Validate(TensorTypeTraits weightType, ReadOnlySpan<byte> weight, int rows, int cols, int nTokens, Span<float> y)
    {
        if (!weightType.IsWeightType)
            throw new NotSupportedException($"{weightType.Type} is an activation-only format and cannot be a weight.");
        if (rows < 0 || cols <= 0 || nTokens < 0)
            throw new ArgumentException($"Invalid matrix shape: {rows} rows, {cols} columns, {nTokens} tokens.");
        if (cols % weightType.BlockSize != 0)
            throw new ArgumentException($"{weightType.Type}: a row of {cols} columns is not a multiple of the block size {weightType.BlockSize}.", nameof(cols));
        long wBytes = weightType.RowBytes(cols) * rows;
        if (weight.Length < wBytes)
            throw new ArgumentException($"{weightType.Type} weight of [{rows}, {cols}] needs {wBytes} bytes but has {weight.Length}.", nameof(weight));
        if (y.Length < (long)nTokens * rows)
            throw new ArgumentException($"Output holds {y.Length} values, fewer than {nTokens} tokens × {rows} rows.", nameof(y));
    }
}
