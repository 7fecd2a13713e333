using System.Runtime.Intrinsics.X86;

namespace Hearth.Numerics;

/// <summary>
/// A GEMM tile kernel: for <see cref="Rows"/> weight rows × <see cref="Tokens"/> activation rows of n columns, writes
/// y[t·ys + r]. Weight rows are ws bytes apart, activation rows (in the weight type's vec-dot type) xs bytes apart.
/// </summary>
internal readonly unsafe struct GemmKernel(delegate*<int, byte*, nint, byte*, nint, float*, nint, void> tile, int rows, int tokens)
{
    public delegate*<int, byte*, nint, byte*, nint, float*, nint, void> Tile { get; } = tile;

    public int Rows { get; } = rows;

    public int Tokens { get; } = tokens;

    public bool IsAvailable => Tile != null;
}

/// <summary>
/// Prompt processing as GEMM: rows × tokens in tiles, so a weight block is loaded and decoded once per tile and an
/// activation block is reused by several rows (the per-row <see cref="TensorTypeTraits.VecDot"/> decodes every weight
/// block once per token). Rows and tokens past the last whole tile go through the per-row kernel. The weights stay in
/// their file layout (no repacking, no extra memory).
/// </summary>
internal static unsafe class Gemm
{
    /// <summary>Tokens whose activations are kept hot in L2 while a chunk's weight rows sweep over them.</summary>
    public const int TokenBlock = 64;

    private static readonly GemmKernel[] Kernels = Build();
    private static readonly GemmKernel[] GemvKernels = BuildGemv();

    /// <summary>The tile kernel for <paramref name="type"/> on this CPU, or a default (unavailable) one.</summary>
    public static GemmKernel For(GgmlType type) => (uint)type < (uint)Kernels.Length ? Kernels[(int)type] : default;

    /// <summary>The one-token (decoding) tile for <paramref name="type"/>, or a default (unavailable) one.</summary>
    public static GemmKernel ForOneToken(GgmlType type) => (uint)type < (uint)GemvKernels.Length ? GemvKernels[(int)type] : default;

    private static GemmKernel[] BuildGemv()
    {
        var k = new GemmKernel[64];
        if (KernelSelector.Active < KernelVariant.Avx2 || !Avx2.IsSupported || !Fma.IsSupported) return k;
        k[(int)GgmlType.Q8_0] = new(&GemvAvx2.Q8_0, 4, 1);
        k[(int)GgmlType.Q4_0] = new(&GemvAvx2.Q4_0, 4, 1);
        k[(int)GgmlType.Q4_K] = new(&GemvAvx2.Q4_K, 4, 1);
        return k;
    }

    private static GemmKernel[] Build()
    {
        var k = new GemmKernel[64];
        if (KernelSelector.Active < KernelVariant.Avx2 || !Avx2.IsSupported || !Fma.IsSupported) return k;
        k[(int)GgmlType.Q8_0] = new(&GemmAvx2Legacy.Q8_0, 4, 4);
        k[(int)GgmlType.Q4_0] = new(&GemmAvx2Legacy.Q4_0, 4, 4);
        k[(int)GgmlType.MXFP4] = new(&GemmAvx2Fp4.Mxfp4, 4, 4);
        k[(int)GgmlType.Q4_K] = new(&GemmAvx2KQuants.Q4_K, 1, 4);
        k[(int)GgmlType.Q6_K] = new(&GemmAvx2KQuants.Q6_K, 1, 4);
        k[(int)GgmlType.IQ4_NL] = new(&GemmAvx2IQuants.IQ4_NL, 4, 4);
        k[(int)GgmlType.IQ4_XS] = new(&GemmAvx2IQuants.IQ4_XS, 1, 4);
        k[(int)GgmlType.IQ3_XXS] = new(&GemmAvx2IQuants.IQ3_XXS, 1, 4);
        k[(int)GgmlType.IQ3_S] = new(&GemmAvx2IQuants.IQ3_S, 1, 4);
        k[(int)GgmlType.IQ2_XXS] = new(&GemmAvx2IQuants.IQ2_XXS, 1, 4);
        k[(int)GgmlType.IQ2_XS] = new(&GemmAvx2IQuants.IQ2_XS, 1, 4);
        k[(int)GgmlType.IQ2_S] = new(&GemmAvx2IQuants.IQ2_S, 1, 4);
        k[(int)GgmlType.IQ1_S] = new(&GemmAvx2IQuants.IQ1_S, 1, 4);
        k[(int)GgmlType.IQ1_M] = new(&GemmAvx2IQuants.IQ1_M, 1, 4);
        k[(int)GgmlType.TQ1_0] = new(&GemmAvx2IQuants.TQ1_0, 1, 4);
        k[(int)GgmlType.TQ2_0] = new(&GemmAvx2IQuants.TQ2_0, 1, 4);
        k[(int)GgmlType.F32] = new(&GemmAvx2Float.F32, 4, 4);
        k[(int)GgmlType.F16] = new(&GemmAvx2Float.F16, 4, 4);
        return k;
    }

    /// <summary>
    /// y[t·rows + r] = W[r] · x[t] for r in [r0, r1) and every token: whole tiles through <paramref name="kernel"/> (if
    /// available), the rest through the per-row dot.
    /// </summary>
    // w: [rows, cols] in the weight type, wRowBytes per row. x: [nTokens, xStride bytes] in the vec-dot type. y: [nTokens, rows].
    public static void ComputeRows(TensorTypeTraits traits, GemmKernel kernel, byte* w, int wRowBytes, int cols, int rows,
        byte* x, int xStride, int nTokens, float* y, int r0, int r1)
    {
        var dot = traits.VecDot;
        int R = kernel.IsAvailable ? kernel.Rows : int.MaxValue, T = kernel.IsAvailable ? kernel.Tokens : int.MaxValue;
        for (int tb = 0; tb < nTokens; tb += TokenBlock)
        {
            int te = Math.Min(nTokens, tb + TokenBlock);
            int tFull = kernel.IsAvailable ? tb + (te - tb) / T * T : tb;
            int r = r0;
            for (; kernel.IsAvailable && r + R <= r1; r += R)
            {
                byte* wr = w + (long)r * wRowBytes;
                for (int t = tb; t < tFull; t += T)
                {
                    kernel.Tile(cols, wr, wRowBytes, x + (long)t * xStride, xStride, y + (long)t * rows + r, rows);
                }
                for (int t = tFull; t < te; t++)
                {
                    var xt = new ReadOnlySpan<byte>(x + (long)t * xStride, xStride);
                    for (int i = r; i < r + R; i++) y[(long)t * rows + i] = dot(cols, new ReadOnlySpan<byte>(w + (long)i * wRowBytes, wRowBytes), xt);
                }
            }
            for (; r < r1; r++)
            {
                var wr = new ReadOnlySpan<byte>(w + (long)r * wRowBytes, wRowBytes);
                for (int t = tb; t < te; t++) y[(long)t * rows + r] = dot(cols, wr, new ReadOnlySpan<byte>(x + (long)t * xStride, xStride));
            }
        }
    }
}
