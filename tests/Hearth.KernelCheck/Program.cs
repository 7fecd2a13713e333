using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Hearth.Numerics;

// Checks the selected (fastest) dot kernel of every tensor type against the scalar reference on random rows of several
// lengths, on whatever CPU (or emulator) runs it. Exit code 0 = all within tolerance.
Console.WriteLine($"arch={System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture} " +
    $"AdvSimd={AdvSimd.IsSupported} AdvSimd.Arm64={AdvSimd.Arm64.IsSupported} Dp={Dp.IsSupported} " +
    $"Avx2={Avx2.IsSupported} Avx512F={Avx512F.IsSupported} AvxVnni={AvxVnni.IsSupported} " +
    $"V128={Vector128.IsHardwareAccelerated} V256={Vector256.IsHardwareAccelerated} V512={Vector512.IsHardwareAccelerated}");
var rng = new Random(42);
int failures = 0, checks = 0;
foreach (var type in TensorTypes.Supported)
{
    var w = TensorTypes.Get(type);
    if (!w.IsWeightType || w.Quantize is null) continue;
    var act = TensorTypes.Get(w.VecDotType);
    if (act.Quantize is null) continue;
    int block = Math.Max(w.BlockSize, act.BlockSize);
    foreach (int blocks in new[] { 1, 2, 3, 7, 8, 13 })
    {
        int n = block * blocks;
        var wf = new float[n];
        var xf = new float[n];
        for (int trial = 0; trial < 4; trial++)
        {
            for (int i = 0; i < n; i++)
            {
                wf[i] = (float)(rng.NextDouble() * 2 - 1);
                xf[i] = (float)(rng.NextDouble() * 2 - 1);
            }
            var wq = new byte[w.RowBytes(n)];
            var xq = new byte[act.RowBytes(n)];
            w.Quantize(wf, wq);
            act.Quantize(xf, xq);
            float fast = w.VecDot(n, wq, xq);
            float reference = w.VecDotReference(n, wq, xq);
            // Integer block sums are exact in every variant; only the float accumulation order of the per-block scaled
            // sums differs, bounded by a few ulps of the magnitude summed.
            float tolerance = 1e-4f * (1 + MathF.Abs(reference)) + 1e-5f * n;
            checks++;
            if (!(MathF.Abs(fast - reference) <= tolerance))
            {
                failures++;
                Console.WriteLine($"MISMATCH {type} n={n}: kernel {fast} reference {reference}");
            }
        }
    }
}
Console.WriteLine($"{checks - failures} passed, {failures} failed");
return failures == 0 ? 0 : 1;
