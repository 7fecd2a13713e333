using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using ISA = System.Runtime.Intrinsics.X86.Avx2;
using Vec = System.Runtime.Intrinsics.Vector256;
using Vnni = System.Runtime.Intrinsics.X86.AvxVnni;

namespace Hearth.Numerics;

/// <summary>
/// AVX2 (+AVX-VNNI) GEMM tile for MXFP4 against Q8_0 activations, 4 weight rows × 4 tokens per call: each weight block
/// is decoded once per tile (nibbles, then one vpshufb to the doubled E2M1 integers) into signed bytes and from there
/// runs exactly as a Q8_0 weight block does in <see cref="GemmAvx2Legacy.Q8_0"/>; the block scale is d_w = 2^(e−128).
/// </summary>
internal static unsafe class GemmAvx2Fp4
{
    // n columns. w: [4 rows, n/32 MXFP4 blocks] at w + r·ws; x: [4 tokens, n/32 Q8_0 blocks] at x + t·xs; y: [4 tokens, ...] at y + t·ys, 4 rows.
    // Fully optimised from the first call: tier-0 code of a SIMD tile is ~8x slower and a benchmark warm-up may not outlast it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Mxfp4(int n, byte* w, nint ws, byte* x, nint xs, float* y, nint ys)
    {
        Vector256<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector256<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector256<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector256<float> c30 = default, c31 = default, c32 = default, c33 = default;
        byte* w0 = w, w1 = w + ws, w2 = w + 2 * ws, w3 = w + 3 * ws;
        byte* x0 = x, x1 = x + xs, x2 = x + 2 * xs, x3 = x + 3 * xs;
        var bias = Vec.Create((byte)0x80);
        var table = DotAvx2.Fp4Table;
        for (nint i = 0, nb = n >> 5; i < nb; i++)
        {
            nint ow = i * 17, ox = i * 34;
            var a0 = DotAvx2.Fp4Values(w0 + ow + 1, table); var a1 = DotAvx2.Fp4Values(w1 + ow + 1, table);
            var a2 = DotAvx2.Fp4Values(w2 + ow + 1, table); var a3 = DotAvx2.Fp4Values(w3 + ow + 1, table);
            var d0 = Vec.Create(Numerics.Mxfp4.HalfScale(w0[ow])); var d1 = Vec.Create(Numerics.Mxfp4.HalfScale(w1[ow]));
            var d2 = Vec.Create(Numerics.Mxfp4.HalfScale(w2[ow])); var d3 = Vec.Create(Numerics.Mxfp4.HalfScale(w3[ow]));
            if (Vnni.IsSupported)
            {
                // As the Q8_0 tile: unsigned activations y + 128, each row's sums start at −128·Σa per lane group.
                var k0 = Vector256<int>.Zero - Vnni.MultiplyWideningAndAdd(Vector256<int>.Zero, bias, a0);
                var k1 = Vector256<int>.Zero - Vnni.MultiplyWideningAndAdd(Vector256<int>.Zero, bias, a1);
                var k2 = Vector256<int>.Zero - Vnni.MultiplyWideningAndAdd(Vector256<int>.Zero, bias, a2);
                var k3 = Vector256<int>.Zero - Vnni.MultiplyWideningAndAdd(Vector256<int>.Zero, bias, a3);
                var b = Vec.Load(x0 + ox + 2) ^ bias; var e = Vec.Create(Fp16.Lookup(*(ushort*)(x0 + ox)));
                c00 = GemmAvx2Legacy.PairV(c00, k0, b, a0, d0, e); c10 = GemmAvx2Legacy.PairV(c10, k1, b, a1, d1, e);
                c20 = GemmAvx2Legacy.PairV(c20, k2, b, a2, d2, e); c30 = GemmAvx2Legacy.PairV(c30, k3, b, a3, d3, e);
                b = Vec.Load(x1 + ox + 2) ^ bias; e = Vec.Create(Fp16.Lookup(*(ushort*)(x1 + ox)));
                c01 = GemmAvx2Legacy.PairV(c01, k0, b, a0, d0, e); c11 = GemmAvx2Legacy.PairV(c11, k1, b, a1, d1, e);
                c21 = GemmAvx2Legacy.PairV(c21, k2, b, a2, d2, e); c31 = GemmAvx2Legacy.PairV(c31, k3, b, a3, d3, e);
                b = Vec.Load(x2 + ox + 2) ^ bias; e = Vec.Create(Fp16.Lookup(*(ushort*)(x2 + ox)));
                c02 = GemmAvx2Legacy.PairV(c02, k0, b, a0, d0, e); c12 = GemmAvx2Legacy.PairV(c12, k1, b, a1, d1, e);
                c22 = GemmAvx2Legacy.PairV(c22, k2, b, a2, d2, e); c32 = GemmAvx2Legacy.PairV(c32, k3, b, a3, d3, e);
                b = Vec.Load(x3 + ox + 2) ^ bias; e = Vec.Create(Fp16.Lookup(*(ushort*)(x3 + ox)));
                c03 = GemmAvx2Legacy.PairV(c03, k0, b, a0, d0, e); c13 = GemmAvx2Legacy.PairV(c13, k1, b, a1, d1, e);
                c23 = GemmAvx2Legacy.PairV(c23, k2, b, a2, d2, e); c33 = GemmAvx2Legacy.PairV(c33, k3, b, a3, d3, e);
            }
            else
            {
                var u0 = ISA.Abs(a0); var u1 = ISA.Abs(a1); var u2 = ISA.Abs(a2); var u3 = ISA.Abs(a3);
                var b = Vec.Load((sbyte*)(x0 + ox + 2)); var e = Vec.Create(Fp16.Lookup(*(ushort*)(x0 + ox)));
                c00 = GemmAvx2Legacy.Pair(c00, u0, a0, b, d0, e); c10 = GemmAvx2Legacy.Pair(c10, u1, a1, b, d1, e);
                c20 = GemmAvx2Legacy.Pair(c20, u2, a2, b, d2, e); c30 = GemmAvx2Legacy.Pair(c30, u3, a3, b, d3, e);
                b = Vec.Load((sbyte*)(x1 + ox + 2)); e = Vec.Create(Fp16.Lookup(*(ushort*)(x1 + ox)));
                c01 = GemmAvx2Legacy.Pair(c01, u0, a0, b, d0, e); c11 = GemmAvx2Legacy.Pair(c11, u1, a1, b, d1, e);
                c21 = GemmAvx2Legacy.Pair(c21, u2, a2, b, d2, e); c31 = GemmAvx2Legacy.Pair(c31, u3, a3, b, d3, e);
                b = Vec.Load((sbyte*)(x2 + ox + 2)); e = Vec.Create(Fp16.Lookup(*(ushort*)(x2 + ox)));
                c02 = GemmAvx2Legacy.Pair(c02, u0, a0, b, d0, e); c12 = GemmAvx2Legacy.Pair(c12, u1, a1, b, d1, e);
                c22 = GemmAvx2Legacy.Pair(c22, u2, a2, b, d2, e); c32 = GemmAvx2Legacy.Pair(c32, u3, a3, b, d3, e);
                b = Vec.Load((sbyte*)(x3 + ox + 2)); e = Vec.Create(Fp16.Lookup(*(ushort*)(x3 + ox)));
                c03 = GemmAvx2Legacy.Pair(c03, u0, a0, b, d0, e); c13 = GemmAvx2Legacy.Pair(c13, u1, a1, b, d1, e);
                c23 = GemmAvx2Legacy.Pair(c23, u2, a2, b, d2, e); c33 = GemmAvx2Legacy.Pair(c33, u3, a3, b, d3, e);
            }
        }
        GemmAvx2Legacy.Store(y, ys, c00, c10, c20, c30, c01, c11, c21, c31, c02, c12, c22, c32, c03, c13, c23, c33);
    }
}
