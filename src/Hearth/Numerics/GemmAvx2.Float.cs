using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FMA = System.Runtime.Intrinsics.X86.Fma;
using Vec = System.Runtime.Intrinsics.Vector256;

namespace Hearth.Numerics;

/// <summary>
/// AVX2 + FMA GEMM tiles for F32 and F16 weights (activations in the same type): 4 rows × 4 tokens, each loaded (and,
/// for F16, converted) once per 8 columns and used in four FMAs. A scalar tail finishes columns past the last 8.
/// </summary>
internal static unsafe class GemmAvx2Float
{
    // n columns. w: [4 rows, n] at w + r·ws bytes; x: [4 tokens, n] at x + t·xs bytes; y: y[t·ys + r].
    // Fully optimised from the first call: tier-0 code of a SIMD tile is ~8x slower and a benchmark warm-up may not outlast it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void F32(int n, byte* w, nint ws, byte* x, nint xs, float* y, nint ys)
    {
        Vector256<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector256<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector256<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector256<float> c30 = default, c31 = default, c32 = default, c33 = default;
        float* w0 = (float*)w, w1 = (float*)(w + ws), w2 = (float*)(w + 2 * ws), w3 = (float*)(w + 3 * ws);
        float* x0 = (float*)x, x1 = (float*)(x + xs), x2 = (float*)(x + 2 * xs), x3 = (float*)(x + 3 * xs);
        nint i = 0;
        for (; i + 8 <= n; i += 8)
        {
            var a0 = Vec.Load(w0 + i); var a1 = Vec.Load(w1 + i); var a2 = Vec.Load(w2 + i); var a3 = Vec.Load(w3 + i);
            var b = Vec.Load(x0 + i);
            c00 = FMA.MultiplyAdd(a0, b, c00); c10 = FMA.MultiplyAdd(a1, b, c10); c20 = FMA.MultiplyAdd(a2, b, c20); c30 = FMA.MultiplyAdd(a3, b, c30);
            b = Vec.Load(x1 + i);
            c01 = FMA.MultiplyAdd(a0, b, c01); c11 = FMA.MultiplyAdd(a1, b, c11); c21 = FMA.MultiplyAdd(a2, b, c21); c31 = FMA.MultiplyAdd(a3, b, c31);
            b = Vec.Load(x2 + i);
            c02 = FMA.MultiplyAdd(a0, b, c02); c12 = FMA.MultiplyAdd(a1, b, c12); c22 = FMA.MultiplyAdd(a2, b, c22); c32 = FMA.MultiplyAdd(a3, b, c32);
            b = Vec.Load(x3 + i);
            c03 = FMA.MultiplyAdd(a0, b, c03); c13 = FMA.MultiplyAdd(a1, b, c13); c23 = FMA.MultiplyAdd(a2, b, c23); c33 = FMA.MultiplyAdd(a3, b, c33);
        }
        GemmAvx2Legacy.Store(y, ys, c00, c10, c20, c30, c01, c11, c21, c31, c02, c12, c22, c32, c03, c13, c23, c33);
        for (; i < n; i++)
        {
            for (int t = 0; t < 4; t++)
            {
                float xv = ((float*)(x + t * xs))[i];
                for (int r = 0; r < 4; r++) y[t * ys + r] += ((float*)(w + r * ws))[i] * xv;
            }
        }
    }

    // Fully optimised from the first call: tier-0 code of a SIMD tile is ~8x slower and a benchmark warm-up may not outlast it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void F16(int n, byte* w, nint ws, byte* x, nint xs, float* y, nint ys)
    {
        Vector256<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector256<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector256<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector256<float> c30 = default, c31 = default, c32 = default, c33 = default;
        ushort* w0 = (ushort*)w, w1 = (ushort*)(w + ws), w2 = (ushort*)(w + 2 * ws), w3 = (ushort*)(w + 3 * ws);
        ushort* x0 = (ushort*)x, x1 = (ushort*)(x + xs), x2 = (ushort*)(x + 2 * xs), x3 = (ushort*)(x + 3 * xs);
        nint i = 0;
        for (; i + 8 <= n; i += 8)
        {
            var a0 = H(w0 + i); var a1 = H(w1 + i); var a2 = H(w2 + i); var a3 = H(w3 + i);
            var b = H(x0 + i);
            c00 = FMA.MultiplyAdd(a0, b, c00); c10 = FMA.MultiplyAdd(a1, b, c10); c20 = FMA.MultiplyAdd(a2, b, c20); c30 = FMA.MultiplyAdd(a3, b, c30);
            b = H(x1 + i);
            c01 = FMA.MultiplyAdd(a0, b, c01); c11 = FMA.MultiplyAdd(a1, b, c11); c21 = FMA.MultiplyAdd(a2, b, c21); c31 = FMA.MultiplyAdd(a3, b, c31);
            b = H(x2 + i);
            c02 = FMA.MultiplyAdd(a0, b, c02); c12 = FMA.MultiplyAdd(a1, b, c12); c22 = FMA.MultiplyAdd(a2, b, c22); c32 = FMA.MultiplyAdd(a3, b, c32);
            b = H(x3 + i);
            c03 = FMA.MultiplyAdd(a0, b, c03); c13 = FMA.MultiplyAdd(a1, b, c13); c23 = FMA.MultiplyAdd(a2, b, c23); c33 = FMA.MultiplyAdd(a3, b, c33);
        }
        GemmAvx2Legacy.Store(y, ys, c00, c10, c20, c30, c01, c11, c21, c31, c02, c12, c22, c32, c03, c13, c23, c33);
        for (; i < n; i++)
        {
            for (int t = 0; t < 4; t++)
            {
                float xv = Fp16.Lookup(((ushort*)(x + t * xs))[i]);
                for (int r = 0; r < 4; r++) y[t * ys + r] += Fp16.Lookup(((ushort*)(w + r * ws))[i]) * xv;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> H(ushort* p) => DotAvx2.HalfToSingle(Vector128.Load(p));
}
