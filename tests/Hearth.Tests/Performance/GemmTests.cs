using Hearth.Numerics;
using Hearth.Tests.Numerics;

namespace Hearth.Tests.Performance;

/// <summary>
/// The GEMM tiles (<see cref="Gemm"/>) against the scalar reference dot of every (row, token) pair, on random matrices
/// whose row and token counts are not multiples of the tile (so the per-row tail path runs too) and whose token count
/// crosses <see cref="Gemm.TokenBlock"/>.
/// </summary>
public unsafe class GemmTests
{
    public static TheoryData<GgmlType> Types() =>
        new()
        {
            GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.F32, GgmlType.F16, GgmlType.Q5_0, GgmlType.MXFP4,
            GgmlType.IQ4_NL, GgmlType.IQ4_XS, GgmlType.IQ3_XXS, GgmlType.IQ3_S, GgmlType.IQ2_XXS, GgmlType.IQ2_XS,
            GgmlType.IQ2_S, GgmlType.IQ1_S, GgmlType.IQ1_M, GgmlType.TQ1_0, GgmlType.TQ2_0,
        };

    [Theory]
    [MemberData(nameof(Types))]
    public void Tiles_match_the_reference_dot_for_every_pair(GgmlType type)
    {
        var traits = TensorTypes.Get(type);
        var act = TensorTypes.Get(traits.VecDotType);
        int cols = traits.BlockSize == 1 ? 77 : Math.Max(2, 512 / traits.BlockSize) * traits.BlockSize;
        foreach (var (rows, tokens) in new[] { (4, 4), (9, 7), (13, 70), (3, 2), (9, 1), (4, 1) })
        {
            int wRow = (int)traits.RowBytes(cols), xRow = (int)act.RowBytes(cols);
            var w = new byte[rows * wRow];
            var x = new byte[tokens * xRow];
            var wd = new float[rows * cols];
            var xd = new float[tokens * cols];
            for (int r = 0; r < rows; r++)
            {
                var q = QuantTestData.Quantize(type, QuantTestData.RandomRow(cols, 100 + r));
                q.CopyTo(w, r * wRow);
                QuantTestData.Dequantize(type, q, cols).CopyTo(wd, r * cols);
            }
            for (int t = 0; t < tokens; t++)
            {
                var q = QuantTestData.Quantize(act.Type, QuantTestData.RandomRow(cols, 900 + t));
                q.CopyTo(x, t * xRow);
                QuantTestData.Dequantize(act.Type, q, cols).CopyTo(xd, t * cols);
            }
            var y = new float[tokens * rows];
            fixed (byte* pw = w, px = x)
            fixed (float* py = y)
            {
                // Two row ranges, as two worker chunks would split them.
                int mid = rows / 2 & ~3;
                var kernel = tokens == 1 ? Gemm.ForOneToken(type) : Gemm.For(type);
                Gemm.ComputeRows(traits, kernel, pw, wRow, cols, rows, px, xRow, tokens, py, 0, mid);
                Gemm.ComputeRows(traits, kernel, pw, wRow, cols, rows, px, xRow, tokens, py, mid, rows);
            }
            for (int t = 0; t < tokens; t++)
            {
                for (int r = 0; r < rows; r++)
                {
                    float expected = traits.VecDotReference(cols, w.AsSpan(r * wRow, wRow), x.AsSpan(t * xRow, xRow));
                    // Same integer block sums; only the float accumulation order differs (see VecDotVariantTests).
                    double sumAbs = 0, maxW = 0;
                    for (int i = 0; i < cols; i++)
                    {
                        sumAbs += Math.Abs(xd[t * cols + i]);
                        maxW = Math.Max(maxW, Math.Abs(wd[r * cols + i]));
                    }
                    int terms = traits.BlockSize == 1 ? cols : cols / traits.BlockSize * 2;
                    double tol = (terms + 8) * Math.Pow(2, -23) * 2 * sumAbs * maxW + 1e-30;
                    float got = y[t * rows + r];
                    Assert.True(Math.Abs(got - expected) <= tol,
                        $"{type} rows={rows} tokens={tokens} at (t={t}, r={r}): GEMM {got:R}, reference {expected:R}, |diff| {Math.Abs(got - expected):E3} > {tol:E3}");
                }
            }
        }
    }

    /// <summary>
    /// The row-panel kernels (<see cref="GemmPanel"/>) against the reference dot: whole 8-row panels inside a row range
    /// that starts mid-matrix, token counts with a tail of the 4-token tile, and extreme values (−128/127 weights, full
    /// scale activations) so the unsigned-offset correction is exercised at its bounds.
    /// </summary>
    [SkippableTheory]
    [InlineData(GgmlType.Q4_0)]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.Q4_K)]
    [InlineData(GgmlType.IQ4_NL)]
    [InlineData(GgmlType.IQ4_XS)]
    public void Row_panels_match_the_reference_dot_for_every_pair(GgmlType type)
    {
        // Production runs the panels only with AVX-VNNI (GemmPanel.Supports); with AVX2 alone they run on an exact
        // emulation of vpdpbusd, so the arithmetic is checked on any AVX2 machine.
        Skip.IfNot(System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported, "no AVX2 here: the row panels (and their vpdpbusd emulation) need it");
        var traits = TensorTypes.Get(type);
        var act = TensorTypes.Get(traits.VecDotType);
        foreach (var (cols, rows, tokens, extreme) in new[] { (512, 27, 37, false), (256, 8, 16, true), (2048, 16, 19, false) })
        {
            int nb = cols / traits.BlockSize, wRow = (int)traits.RowBytes(cols), xRow = (int)act.RowBytes(cols);
            var w = new byte[rows * wRow];
            var x = new byte[tokens * xRow];
            for (int r = 0; r < rows; r++)
            {
                var row = QuantTestData.RandomRow(cols, 300 + r);
                if (extreme) for (int i = 0; i < cols; i++) row[i] = (i + r) % 3 == 0 ? -1f : 1f;
                QuantTestData.Quantize(type, row).CopyTo(w, r * wRow);
            }
            for (int t = 0; t < tokens; t++)
            {
                var row = QuantTestData.RandomRow(cols, 700 + t);
                if (extreme) for (int i = 0; i < cols; i++) row[i] = (i + t) % 2 == 0 ? -1f : 1f;
                QuantTestData.Quantize(act.Type, row).CopyTo(x, t * xRow);
            }
            var y = new float[tokens * rows];
            var sums = new int[tokens * GemmPanel.SumsPerToken(type, cols)];
            int r0 = 3, done;
            fixed (byte* pw = w, px = x)
            fixed (float* py = y)
            fixed (int* ps = sums)
            {
                GemmPanel.Sums(type, px, xRow, tokens, cols, ps);
                done = GemmPanel.ComputeRows(type, pw, wRow, cols, rows, px, xRow, ps, tokens, py, r0, rows);
            }
            Assert.Equal(r0 + (rows - r0) / GemmPanel.Rows * GemmPanel.Rows, done);
            for (int t = 0; t < tokens; t++)
            {
                for (int r = r0; r < done; r++)
                {
                    float expected = traits.VecDotReference(cols, w.AsSpan(r * wRow, wRow), x.AsSpan(t * xRow, xRow));
                    // Exact integer block sums; only the float accumulation of nb scaled terms differs.
                    var wd = QuantTestData.Dequantize(type, w.AsSpan(r * wRow, wRow).ToArray(), cols);
                    var xd = QuantTestData.Dequantize(act.Type, x.AsSpan(t * xRow, xRow).ToArray(), cols);
                    double sumAbs = 0;
                    for (int i = 0; i < cols; i++) sumAbs += Math.Abs(wd[i] * xd[i]);
                    double tol = (2 * cols / 32 + 8) * Math.Pow(2, -23) * sumAbs + 1e-30;
                    float got = y[t * rows + r];
                    Assert.True(Math.Abs(got - expected) <= tol,
                        $"{type} cols={cols} at (t={t}, r={r}): panel {got:R}, reference {expected:R}, |diff| {Math.Abs(got - expected):E3} > {tol:E3}");
                }
            }
        }
    }

    [SkippableFact]
    public void Hot_types_have_a_tile_kernel_when_the_cpu_has_avx2()
    {
        Skip.If(KernelSelector.Active < KernelVariant.Avx2, "no AVX2 here: scalar / V128 runs use the per-row path only");
        foreach (var t in new[] { GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.F32, GgmlType.F16,
                     GgmlType.IQ4_NL, GgmlType.IQ4_XS, GgmlType.IQ3_XXS, GgmlType.IQ3_S, GgmlType.IQ2_XXS, GgmlType.IQ2_XS,
                     GgmlType.IQ2_S, GgmlType.IQ1_S, GgmlType.IQ1_M, GgmlType.TQ1_0, GgmlType.TQ2_0 })
        {
            Assert.True(Gemm.For(t).IsAvailable, $"{t} has no GEMM tile");
        }
    }
}
