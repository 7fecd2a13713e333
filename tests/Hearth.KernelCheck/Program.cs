using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Hearth.Numerics;

// Checks every dot kernel variant this CPU (or emulator) runs against the scalar reference, for every weight type, on
// random rows of several lengths; checks that a Vector128-capable CPU has a Vector128 kernel for every type; and checks
// the vectorised fp16 → float conversions bit for bit over all 65536 encodings. Exit code 0 = all passed.
Console.WriteLine($"arch={System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture} " +
    $"AdvSimd={AdvSimd.IsSupported} AdvSimd.Arm64={AdvSimd.Arm64.IsSupported} Dp={Dp.IsSupported} " +
    $"Ssse3={Ssse3.IsSupported} Avx2={Avx2.IsSupported} Avx512F={Avx512F.IsSupported} AvxVnni={AvxVnni.IsSupported} " +
    $"V128={Vector128.IsHardwareAccelerated} V256={Vector256.IsHardwareAccelerated} V512={Vector512.IsHardwareAccelerated}");
Console.WriteLine($"kernel variants: best={KernelSelector.Best} active={KernelSelector.Active}");
var rng = new Random(42);
int failures = 0, checks = 0;
foreach (var type in TensorTypes.Supported)
{
    var w = TensorTypes.Get(type);
    if (!w.IsWeightType) continue;
    var act = TensorTypes.Get(w.VecDotType);
    if (act.Quantize is null) continue;
    Console.WriteLine($"{type,-5} active kernel: {w.VecDot.Method.DeclaringType?.Name}.{w.VecDot.Method.Name}");
    if (KernelSelector.IsSupported(KernelVariant.V128) && VecDotKernels.Find(type, KernelVariant.V128)?.Method.DeclaringType != typeof(DotV128))
    {
        failures++;
        Console.WriteLine($"MISSING {type}: no Vector128 kernel, the scalar reference would run");
    }
    for (var variant = KernelVariant.V128; variant <= KernelSelector.Best; variant++)
    {
        VecDot kernel = VecDotKernels.Find(type, variant) ?? w.VecDotReference;
        int block = Math.Max(w.BlockSize, act.BlockSize);
        foreach (int blocks in new[] { 1, 2, 3, 7, 8, 13 })
        {
            // Float rows also get lengths that leave every SIMD tail.
            int n = block == 1 ? 37 * blocks : block * blocks;
            var wf = new float[n];
            var xf = new float[n];
            var wd = new float[n];
            var xd = new float[n];
            for (int trial = 0; trial < 4; trial++)
            {
                float scale = MathF.Pow(10, rng.Next(-2, 3));
                for (int i = 0; i < n; i++)
                {
                    wf[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
                    xf[i] = (float)(rng.NextDouble() * 2 - 1);
                }
                var wq = new byte[w.RowBytes(n)];
                var xq = new byte[act.RowBytes(n)];
                if (w.Quantize != null) w.Quantize(wf, wq);
                else RandomGridBlocks(type, wq, w.BytesPerBlock, rng, scale); // the importance-matrix types have no quantizer
                act.Quantize(xf, xq);
                w.Dequantize(wq, wd);
                act.Dequantize(xq, xd);
                double sumAbsX = 0, maxW = 0;
                for (int i = 0; i < n; i++)
                {
                    sumAbsX += Math.Abs(xd[i]);
                    maxW = Math.Max(maxW, Math.Abs(wd[i]));
                }
                float fast = kernel(n, wq, xq);
                float reference = w.VecDotReference(n, wq, xq);
                // Integer block sums are exact in every variant; only the float accumulation order of the per-block
                // scaled sums differs: the bound of the unit tests (VecDotVariantTests), (terms + 8)·2^-23·2·Σ|x|·max|w|.
                int terms = w.BlockSize == 1 ? n : n / w.BlockSize;
                double tolerance = (terms + 8) * Math.Pow(2, -23) * 2 * sumAbsX * maxW + 1e-30;
                checks++;
                if (!(Math.Abs(fast - reference) <= tolerance))
                {
                    failures++;
                    Console.WriteLine($"MISMATCH {type} {variant} n={n}: kernel {fast} reference {reference} tolerance {tolerance:E3}");
                }
            }
        }
    }
}

// fp16 → float: the bulk conversion and the Vector128 kernels' conversion against the scalar IEEE one, every encoding.
var halves = new ushort[65536];
for (int i = 0; i < halves.Length; i++) halves[i] = (ushort)i;
var bulk = new float[65536];
Fp16.ToFloat(halves, bulk);
var kernelConv = new float[65536];
for (int i = 0; i < halves.Length; i += 4)
    DotV128.HalfToSingle(Vector128.Create((uint)halves[i], halves[i + 1], halves[i + 2], halves[i + 3])).CopyTo(kernelConv, i);
int convFailures = 0;
for (int i = 0; i < halves.Length; i++)
{
    uint want = BitConverter.SingleToUInt32Bits(Fp16.ToFloat(halves[i]));
    foreach (var (name, got) in new[] { ("Fp16.ToFloat(span)", bulk[i]), ("DotV128.HalfToSingle", kernelConv[i]) })
    {
        if (BitConverter.SingleToUInt32Bits(got) != want && convFailures++ < 10)
            Console.WriteLine($"MISMATCH {name} 0x{i:X4}: 0x{BitConverter.SingleToUInt32Bits(got):X8}, scalar 0x{want:X8}");
    }
}
checks++;
if (convFailures > 0) failures++;
Console.WriteLine($"{checks - failures} passed, {failures} failed");
return failures == 0 ? 0 : 1;

// Random blocks of a grid type (IQ1–IQ3): random bits, with the fp16 scale (d) set to a finite value of about 1/(8·grid).
static void RandomGridBlocks(GgmlType type, byte[] w, int bytesPerBlock, Random rng, float scale)
{
    rng.NextBytes(w);
    for (int b = 0; b < w.Length; b += bytesPerBlock)
    {
        ushort h = BitConverter.HalfToUInt16Bits((Half)(scale * (0.5 + rng.NextDouble()) / 100));
        if (type == GgmlType.IQ1_M)
        {
            // IQ1_M spreads d over the top nibbles of its four 16-bit scale words (bytes 48..55).
            for (int k = 0; k < 4; k++)
            {
                int o = b + 48 + 2 * k;
                int word = (BitConverter.ToUInt16(w, o) & 0x0FFF) | (((h >> (4 * k)) & 0xF) << 12);
                BitConverter.TryWriteBytes(w.AsSpan(o, 2), (ushort)word);
            }
        }
        else
        {
            BitConverter.TryWriteBytes(w.AsSpan(b, 2), h); // every other grid type starts with d
        }
    }
}
