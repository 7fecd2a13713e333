using Hearth.Numerics;

namespace Hearth.Tests.Numerics;

public class MatMulTests
{
    public static TheoryData<GgmlType> Types() => new(QuantTestData.WeightTypes);

    /// <summary>
    /// y = x·Wᵀ against a double-precision product of the dequantized weights and the unquantized activations. The only
    /// difference allowed is the activation quantization, bounded per element: Q8_0/Q8_1 round x/d with d = amax/127 stored
    /// as fp16 (≤ d/2 + 127·d·2^-11 ≤ 0.57·d), Q8_K the same with a float32 d (≤ 0.51·d), F16 2^-11·|x|, BF16 2^-8·|x|;
    /// plus float32 accumulation (1e-5 of Σ|w·x|).
    /// </summary>
    [Theory]
    [MemberData(nameof(Types))]
    public void Matches_float_reference_within_activation_quantization_error(GgmlType type)
    {
        var traits = TensorTypes.Get(type);
        int cols = traits.BlockSize == 1 ? 96 : 2 * Math.Max(traits.BlockSize, 32) * (traits.BlockSize == 256 ? 1 : 3);
        const int rows = 7, nTokens = 3;
        var w = new byte[traits.RowBytes(cols) * rows];
        var wf = new float[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            var row = QuantTestData.RandomRow(cols, 100 + r);
            byte[] q = QuantTestData.Quantize(type, row);
            q.CopyTo(w.AsSpan(r * q.Length));
            QuantTestData.Dequantize(type, q, cols).CopyTo(wf.AsSpan(r * cols));
        }
        var x = new float[nTokens * cols];
        for (int t = 0; t < nTokens; t++) QuantTestData.RandomRow(cols, 200 + t).CopyTo(x.AsSpan(t * cols));
        var y = new float[nTokens * rows];
        MatMul.Compute(type, w, rows, cols, x, nTokens, y);

        int actBlock = TensorTypes.Get(traits.VecDotType).BlockSize;
        for (int t = 0; t < nTokens; t++)
        {
            var xt = x.AsSpan(t * cols, cols);
            for (int r = 0; r < rows; r++)
            {
                double exact = 0, tol = 0, mag = 0;
                for (int c = 0; c < cols; c++)
                {
                    double wv = wf[r * cols + c];
                    exact += wv * xt[c];
                    mag += Math.Abs(wv * xt[c]);
                    tol += Math.Abs(wv) * ActivationError(traits.VecDotType, xt, c, actBlock);
                }
                tol += 1e-5 * mag + 1e-30;
                Assert.True(Math.Abs(y[t * rows + r] - exact) <= tol, $"{type} y[{t},{r}] = {y[t * rows + r]:R}, reference {exact:R}, tolerance {tol:E3}");
            }
        }
    }

    private static double ActivationError(GgmlType actType, ReadOnlySpan<float> x, int c, int block)
    {
        double amax = 0;
        if (block > 1)
        {
            int start = c / block * block;
            for (int i = start; i < start + block; i++) amax = Math.Max(amax, Math.Abs(x[i]));
        }
        return actType switch
        {
            GgmlType.F32 => 0,
            GgmlType.F16 => Math.Abs(x[c]) * Math.Pow(2, -11),
            GgmlType.BF16 => Math.Abs(x[c]) * Math.Pow(2, -8),
            GgmlType.Q8_K => 0.51 * amax / 127,
            _ => 0.57 * amax / 127,
        };
    }

    [Fact]
    public void Row_ranges_compose_to_the_full_product()
    {
        var traits = TensorTypes.Get(GgmlType.Q4_0);
        const int rows = 10, cols = 64, nTokens = 2;
        var w = new byte[traits.RowBytes(cols) * rows];
        for (int r = 0; r < rows; r++) QuantTestData.Quantize(GgmlType.Q4_0, QuantTestData.RandomRow(cols, r + 1)).CopyTo(w.AsSpan(r * 36));
        var x = QuantTestData.RandomRow(cols * nTokens, 77);
        var full = new float[rows * nTokens];
        MatMul.Compute(traits, w, rows, cols, x, nTokens, full);
        var xq = new byte[MatMul.ActivationBytes(traits, cols, nTokens)];
        MatMul.QuantizeActivations(traits, x, nTokens, cols, xq);
        var split = new float[rows * nTokens];
        MatMul.ComputeRows(traits, w, rows, cols, xq, nTokens, split, 0, 3);
        MatMul.ComputeRows(traits, w, rows, cols, xq, nTokens, split, 3, rows);
        Assert.Equal(full, split);
    }

    [Fact]
    public void Does_not_allocate_after_warm_up()
    {
        var traits = TensorTypes.Get(GgmlType.Q8_0);
        const int rows = 16, cols = 256, nTokens = 4;
        var w = new byte[traits.RowBytes(cols) * rows];
        var x = QuantTestData.RandomRow(cols * nTokens, 5);
        var y = new float[rows * nTokens];
        MatMul.Compute(traits, w, rows, cols, x, nTokens, y);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) MatMul.Compute(traits, w, rows, cols, x, nTokens, y);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Rejects_bad_shapes_with_clear_messages()
    {
        var y = new float[8];
        var ex = Assert.Throws<ArgumentException>(() => MatMul.Compute(GgmlType.Q4_0, new byte[36], 2, 48, new float[48], 1, y));
        Assert.Contains("not a multiple of the block size 32", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => MatMul.Compute(GgmlType.Q4_0, new byte[18], 2, 32, new float[32], 1, y));
        Assert.Contains("needs 36 bytes", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => MatMul.Compute(GgmlType.Q4_0, new byte[36], 2, 32, new float[31], 1, y));
        Assert.Contains("fewer than 1 tokens × 32 columns", ex.Message, StringComparison.Ordinal);
        var nse = Assert.Throws<NotSupportedException>(() => MatMul.Compute(GgmlType.Q8_K, new byte[292], 1, 256, new float[256], 1, y));
        Assert.Contains("activation-only", nse.Message, StringComparison.Ordinal);
    }
}
