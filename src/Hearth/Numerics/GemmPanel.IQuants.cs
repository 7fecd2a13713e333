using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FMA = System.Runtime.Intrinsics.X86.Fma;
using ISA = System.Runtime.Intrinsics.X86.Avx2;
using Vec = System.Runtime.Intrinsics.Vector256;
using Vnni = System.Runtime.Intrinsics.X86.AvxVnni;

namespace Hearth.Numerics;

/// <summary>
/// IQ4_NL and IQ4_XS row panels. The 4-bit indices are looked up in the 16 levels (vpshufb) while the panel is decoded
/// and stored as level + 128, the unsigned operand vpdpbusd wants (as Q8_0's panels do). IQ4_NL then runs exactly the
/// Q8_0 tiles (offset 128, Q8_0 block sums). IQ4_XS is laid out like the Q4_K panels, sub-block by sub-block with the
/// signed 6-bit scales (ls − 32) as int32 lanes; each sub-block sum starts at −128·Σx over its 32 activations (from Q8_K's
/// 16-element sums, <see cref="XsSubBlockSums"/>), then d·d_x·Σ_j sc_j·sum_j per super-block, ggml's integer sums.
/// </summary>
internal static unsafe partial class GemmPanel
{
    // Per IQ4_XS super-block in the panel: values [8 sub-blocks][8 groups][8 rows][4 bytes], scales int32 [8][8 rows], d float [8 rows].
    private const int XsScales = 2048, XsD = XsScales + 256;
    private const int XsSuperBytes = XsD + 32;

    /// <summary>128·Σx of every 32-value sub-block of the Q8_K activations: sums[(t·nsb + s)·8 + j].</summary>
    // x: [nTokens, xStride bytes] Q8_K rows of nsb super-blocks. sums: [nTokens, nsb, 8].
    public static void XsSubBlockSums(byte* x, int xStride, int nTokens, int nsb, int* sums)
    {
        for (int t = 0; t < nTokens; t++)
        {
            for (int s = 0; s < nsb; s++)
            {
                short* bsums = (short*)(x + (long)t * xStride + s * Q8_K.BytesPerBlock + Q8_K.BsumsOffset);
                int* dst = sums + ((long)t * nsb + s) * 8;
                for (int j = 0; j < 8; j++) dst[j] = 128 * (bsums[2 * j] + bsums[2 * j + 1]);
            }
        }
    }

    // w: [8 rows, nb IQ4_NL blocks] at w + r·ws. panel: [nb, PanelBlockBytes].
    private static void DecodeIQ4_NL(byte* w, nint ws, int nb, byte* panel)
    {
        var table = DotAvx2.Iq4Table();
        for (int b = 0; b < nb; b++)
        {
            byte* src = w + b * 18;
            byte* dst = panel + (long)b * PanelBlockBytes;
            Transpose(
                Levels(table, src + 2), Levels(table, src + ws + 2), Levels(table, src + 2 * ws + 2), Levels(table, src + 3 * ws + 2),
                Levels(table, src + 4 * ws + 2), Levels(table, src + 5 * ws + 2), Levels(table, src + 6 * ws + 2), Levels(table, src + 7 * ws + 2), dst);
            Scales(src, ws, (float*)(dst + 256));
        }
    }

    /// <summary>The 32 levels of 16 bytes of packed indices (low nibbles first), each + 128 as an unsigned byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Levels(Vector256<sbyte> table, byte* q) =>
        (ISA.Shuffle(table, DotAvx2.Nibbles(q).AsSByte()).AsByte() ^ Vec.Create((byte)0x80)).AsInt32();

    // w: [rows, nsb IQ4_XS super-blocks]. x: [nTokens, xStride bytes] Q8_K. sums: [nTokens, nsb, 8]. y: [nTokens, rows].
    private static int ComputeRowsIQ4_XS(byte* w, int wRowBytes, int cols, int rows, byte* x, int xStride,
        int* sums, int nTokens, float* y, int r0, int r1)
    {
        int nsb = cols / 256;
        byte* panel = Panel(nsb * XsSuperBytes);
        int r = r0;
        for (; r + Rows <= r1; r += Rows)
        {
            DecodeIQ4_XS(w + (long)r * wRowBytes, wRowBytes, nsb, panel);
            int t = 0;
            for (; t + 4 <= nTokens; t += 4) TileIQ4_XS(nsb, panel, x + (long)t * xStride, xStride, sums + (long)t * nsb * 8, 4, y + (long)t * rows + r, rows);
            for (; t < nTokens; t++) TileIQ4_XS(nsb, panel, x + (long)t * xStride, xStride, sums + (long)t * nsb * 8, 1, y + (long)t * rows + r, rows);
        }
        return r;
    }

    // w: [8 rows, nsb IQ4_XS super-blocks] at w + r·ws. panel: [nsb, XsSuperBytes].
    private static void DecodeIQ4_XS(byte* w, nint ws, int nsb, byte* panel)
    {
        var table = DotAvx2.Iq4Table();
        for (int s = 0; s < nsb; s++)
        {
            byte* src = w + s * IQ4_XS.BytesPerBlock;
            byte* dst = panel + (long)s * XsSuperBytes;
            for (int j = 0; j < 8; j++)
            {
                byte* q = src + 8 + 16 * j;
                Transpose(
                    Levels(table, q), Levels(table, q + ws), Levels(table, q + 2 * ws), Levels(table, q + 3 * ws),
                    Levels(table, q + 4 * ws), Levels(table, q + 5 * ws), Levels(table, q + 6 * ws), Levels(table, q + 7 * ws),
                    dst + j * 256);
            }
            for (int r = 0; r < Rows; r++)
            {
                var row = new ReadOnlySpan<byte>(src + r * ws, IQ4_XS.BytesPerBlock);
                for (int j = 0; j < 8; j++) ((int*)(dst + XsScales))[j * 8 + r] = IQ4_XS.Scale(row, j);
                ((float*)(dst + XsD))[r] = Fp16.Lookup(*(ushort*)(src + r * ws));
            }
        }
    }

    // count (1..4) tokens against a decoded IQ4_XS panel. x: [count, nsb Q8_K blocks] at x + k·xs. sums: [count, nsb, 8].
    // y: 8 rows at y + k·ys. Fully optimised from the first call (tier-0 SIMD code is many times slower).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TileIQ4_XS(int nsb, byte* panel, byte* x, nint xs, int* sums, int count, float* y, nint ys)
    {
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
        int nsb8 = nsb * 8;
        for (int s = 0; s < nsb; s++, panel += XsSuperBytes)
        {
            Vector256<int> i0 = default, i1 = default, i2 = default, i3 = default;
            byte* xb = x + s * Q8_K.BytesPerBlock + Q8_K.QsOffset;
            int* st = sums + s * 8;
            for (int j = 0; j < 8; j++)
            {
                byte* pj = panel + j * 256;
                var w0 = Vec.Load(pj); var w1 = Vec.Load(pj + 32); var w2 = Vec.Load(pj + 64); var w3 = Vec.Load(pj + 96);
                var w4 = Vec.Load(pj + 128); var w5 = Vec.Load(pj + 160); var w6 = Vec.Load(pj + 192); var w7 = Vec.Load(pj + 224);
                var sc = Vec.Load((int*)(panel + XsScales) + j * 8);
                int* q = (int*)(xb + 32 * j);
                i0 += ISA.MultiplyLow(SubBlock(w0, w1, w2, w3, w4, w5, w6, w7, q) - Vec.Create(st[j]), sc);
                if (count == 1) continue;
                i1 += ISA.MultiplyLow(SubBlock(w0, w1, w2, w3, w4, w5, w6, w7, (int*)((byte*)q + xs)) - Vec.Create(st[nsb8 + j]), sc);
                i2 += ISA.MultiplyLow(SubBlock(w0, w1, w2, w3, w4, w5, w6, w7, (int*)((byte*)q + 2 * xs)) - Vec.Create(st[2 * nsb8 + j]), sc);
                i3 += ISA.MultiplyLow(SubBlock(w0, w1, w2, w3, w4, w5, w6, w7, (int*)((byte*)q + 3 * xs)) - Vec.Create(st[3 * nsb8 + j]), sc);
            }
            var d = Vec.Load((float*)(panel + XsD));
            int sOff = s * Q8_K.BytesPerBlock;
            c0 = FMA.MultiplyAdd(d * Vec.Create(*(float*)(x + sOff)), ISA.ConvertToVector256Single(i0), c0);
            if (count == 1) continue;
            c1 = FMA.MultiplyAdd(d * Vec.Create(*(float*)(x + xs + sOff)), ISA.ConvertToVector256Single(i1), c1);
            c2 = FMA.MultiplyAdd(d * Vec.Create(*(float*)(x + 2 * xs + sOff)), ISA.ConvertToVector256Single(i2), c2);
            c3 = FMA.MultiplyAdd(d * Vec.Create(*(float*)(x + 3 * xs + sOff)), ISA.ConvertToVector256Single(i3), c3);
        }
        c0.Store(y);
        if (count == 1) return;
        c1.Store(y + ys); c2.Store(y + 2 * ys); c3.Store(y + 3 * ys);
    }
}
