using System.Diagnostics;
using Hearth.Numerics;

namespace Hearth.Compare;

/// <summary>
/// Single-thread timings of one projection (rows × cols weights, n tokens) through the per-row dot and through the
/// GEMM tiles, for checking a kernel change quickly; prints GMAC/s of each (best of several runs of process CPU time, to dodge noise).
/// </summary>
internal static unsafe class KernelBench
{
    public static void Run(GgmlType type, int rows, int cols, int tokens)
    {
        var traits = TensorTypes.Get(type);
        var act = TensorTypes.Get(traits.VecDotType);
        int wRow = (int)traits.RowBytes(cols), xRow = (int)act.RowBytes(cols);
        var rng = new Random(1);
        var f = new float[cols];
        var w = new byte[(long)rows * wRow];
        for (int r = 0; r < rows; r++)
        {
            for (int i = 0; i < cols; i++) f[i] = (float)(rng.NextDouble() * 2 - 1);
            traits.Quantize!(f, w.AsSpan(r * wRow, wRow));
        }
        var x = new byte[(long)tokens * xRow];
        for (int t = 0; t < tokens; t++)
        {
            for (int i = 0; i < cols; i++) f[i] = (float)(rng.NextDouble() * 2 - 1);
            act.Quantize!(f, x.AsSpan(t * xRow, xRow));
        }
        var y = new float[(long)tokens * rows];
        double macs = (double)rows * cols * tokens;
        fixed (byte* pw = w, px = x)
        fixed (float* py = y)
        {
            byte* cw = pw, cx = px;
            float* cy = py;
            double perRow = Best(() => Gemm.ComputeRows(traits, default, cw, wRow, cols, rows, cx, xRow, tokens, cy, 0, rows));
            var kernel = tokens == 1 ? Gemm.ForOneToken(type) : Gemm.For(type);
            double gemm = Best(() => Gemm.ComputeRows(traits, kernel, cw, wRow, cols, rows, cx, xRow, tokens, cy, 0, rows));
            string panel = "";
            if (GemmPanel.Supports(type) && tokens >= GemmPanel.MinTokens)
            {
                var sums = new int[GemmPanel.SumsPerToken(type, cols) * tokens];
                fixed (int* ps = sums)
                {
                    int* cs = ps;
                    double p = Best(() =>
                    {
                        GemmPanel.Sums(type, cx, xRow, tokens, cols, cs);
                        GemmPanel.ComputeRows(type, cw, wRow, cols, rows, cx, xRow, cs, tokens, cy, 0, rows);
                    });
                    panel = $", panel {macs / p / 1e9:F2} GMAC/s";
                }
            }
            Console.WriteLine($"{type} [{rows}x{cols}] x {tokens} tokens: per-row {macs / perRow / 1e9:F2} GMAC/s, GEMM {macs / gemm / 1e9:F2} GMAC/s ({perRow / gemm:F2}x){panel}");
        }
    }

    private static double Best(Action a)
    {
        // Process CPU time, not wall time: on a shared machine a descheduled thread does not count against the kernel.
        a();
        var p = Process.GetCurrentProcess();
        double best = double.MaxValue;
        for (int i = 0; i < 15; i++)
        {
            p.Refresh();
            var t0 = p.TotalProcessorTime;
            for (int k = 0; k < 10; k++) a();
            p.Refresh();
            best = Math.Min(best, (p.TotalProcessorTime - t0).TotalSeconds / 10);
        }
        return best;
    }
}
