using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FMA = System.Runtime.Intrinsics.X86.Fma;
using ISA = System.Runtime.Intrinsics.X86.Avx2;
using Vec = System.Runtime.Intrinsics.Vector256;
using Vnni = System.Runtime.Intrinsics.X86.AvxVnni;

namespace Hearth.Numerics;

/// <summary>
/// Q4_K row panels against Q8_K activations. Per super-block of 256 and panel of 8 rows the decoded nibbles (unsigned,
/// as vpdpbusd wants them) are laid out sub-block by sub-block like the 32-element panels, with the 6-bit scales as
/// int32 lanes and the 6-bit minimums as int16 pairs. The integer sums are ggml's: Σ_j sc_j·(Σ q·x over sub-block j)
/// and Σ_j m_j·(Σ x over sub-block j) — the second from Q8_K's 16-element sums, two at a time through vpmaddwd — then
/// d·d_x·sumi − dmin·d_x·summ per super-block.
/// </summary>
internal static unsafe partial class GemmPanel
{
    // Per super-block in the panel: values [8 sub-blocks][8 groups][8 rows][4 bytes], scales int32 [8][8 rows],
    // minimums as int16 pairs [4 pairs][8 rows], d and dmin float [8 rows] each.
    private const int KValues = 2048, KScales = 2048, KMins = KScales + 256, KD = KMins + 128, KDmin = KD + 32;
    private const int KSuperBytes = KDmin + 32;

    /// <summary>Per token and super-block, the 8 sub-block sums of the Q8_K activations as 4 int16 pairs (sub-blocks 2p, 2p+1).</summary>
    // x: [nTokens, xStride bytes] Q8_K rows of nsb super-blocks. sums: [nTokens, nsb, 4].
    public static void SubBlockSums(byte* x, int xStride, int nTokens, int nsb, int* sums)
    {
        for (int t = 0; t < nTokens; t++)
        {
            for (int s = 0; s < nsb; s++)
            {
                short* bsums = (short*)(x + (long)t * xStride + s * Q8_K.BytesPerBlock + Q8_K.BsumsOffset);
                int* dst = sums + ((long)t * nsb + s) * 4;
                for (int p = 0; p < 4; p++)
                {
                    // A sub-block of 32 sums to at most 32·127 in magnitude: an int16 holds it.
                    int lo = bsums[4 * p] + bsums[4 * p + 1], hi = bsums[4 * p + 2] + bsums[4 * p + 3];
                    dst[p] = (ushort)(short)lo | (hi << 16);
                }
            }
        }
    }

    // w: [rows, nsb Q4_K super-blocks]. x: [nTokens, xStride bytes] Q8_K. sums: [nTokens, nsb, 4]. y: [nTokens, rows].
    private static int ComputeRowsQ4_K(byte* w, int wRowBytes, int cols, int rows, byte* x, int xStride,
        int* sums, int nTokens, float* y, int r0, int r1)
    {
        int nsb = cols / 256;
        byte* panel = Panel(nsb * KSuperBytes);
        int r = r0;
        for (; r + Rows <= r1; r += Rows)
        {
            DecodeQ4_K(w + (long)r * wRowBytes, wRowBytes, nsb, panel);
            int t = 0;
            for (; t + 4 <= nTokens; t += 4) TileQ4_K(nsb, panel, x + (long)t * xStride, xStride, sums + (long)t * nsb * 4, 4, y + (long)t * rows + r, rows);
            for (; t < nTokens; t++) TileQ4_K(nsb, panel, x + (long)t * xStride, xStride, sums + (long)t * nsb * 4, 1, y + (long)t * rows + r, rows);
        }
        return r;
    }

    // w: [8 rows, nsb Q4_K super-blocks] at w + r·ws. panel: [nsb, KSuperBytes].
    private static void DecodeQ4_K(byte* w, nint ws, int nsb, byte* panel)
    {
        var low = Vec.Create((byte)0x0F);
        Span<int> m = stackalloc int[8];
        for (int s = 0; s < nsb; s++)
        {
            byte* src = w + s * Q4_K.BytesPerBlock;
            byte* dst = panel + (long)s * KSuperBytes;
            for (int j = 0; j < 8; j++)
            {
                // Bytes 16 + 32·(j/2) hold sub-block j in their low (even j) or high (odd j) nibbles.
                byte* q = src + 16 + 32 * (j >> 1);
                bool high = (j & 1) != 0;
                Transpose(
                    Nib(q, high, low), Nib(q + ws, high, low), Nib(q + 2 * ws, high, low), Nib(q + 3 * ws, high, low),
                    Nib(q + 4 * ws, high, low), Nib(q + 5 * ws, high, low), Nib(q + 6 * ws, high, low), Nib(q + 7 * ws, high, low),
                    dst + j * 256);
            }
            for (int r = 0; r < Rows; r++)
            {
                byte* row = src + r * ws;
                var scales = new ReadOnlySpan<byte>(row + 4, 12);
                for (int j = 0; j < 8; j++)
                {
                    KQuantMath.GetScaleMinK4(j, scales, out int sc, out m[j]);
                    ((int*)(dst + KScales))[j * 8 + r] = sc;
                }
                for (int p = 0; p < 4; p++) ((int*)(dst + KMins))[p * 8 + r] = m[2 * p] | (m[2 * p + 1] << 16);
                ((float*)(dst + KD))[r] = Fp16.Lookup(*(ushort*)row);
                ((float*)(dst + KDmin))[r] = Fp16.Lookup(*(ushort*)(row + 2));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Nib(byte* q, bool high, Vector256<byte> low)
    {
        var v = Vec.Load(q);
        if (high) v = ISA.ShiftRightLogical(v.AsUInt16(), 4).AsByte();
        return (v & low).AsInt32();
    }

    // count (1..4) tokens against a decoded Q4_K panel. x: [count, nsb Q8_K blocks] at x + k·xs. sums: [count, nsb, 4].
    // y: 8 rows at y + k·ys. Fully optimised from the first call (tier-0 SIMD code is many times slower).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TileQ4_K(int nsb, byte* panel, byte* x, nint xs, int* sums, int count, float* y, nint ys)
    {
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
        for (int s = 0; s < nsb; s++, panel += KSuperBytes)
        {
            Vector256<int> i0 = default, i1 = default, i2 = default, i3 = default;
            byte* xb = x + s * Q8_K.BytesPerBlock + Q8_K.QsOffset;
            for (int j = 0; j < 8; j++)
            {
                byte* pj = panel + j * 256;
                var w0 = Vec.Load(pj); var w1 = Vec.Load(pj + 32); var w2 = Vec.Load(pj + 64); var w3 = Vec.Load(pj + 96);
                var w4 = Vec.Load(pj + 128); var w5 = Vec.Load(pj + 160); var w6 = Vec.Load(pj + 192); var w7 = Vec.Load(pj + 224);
                var sc = Vec.Load((int*)(panel + KScales) + j * 8);
                int* q = (int*)(xb + 32 * j);
                i0 += ISA.MultiplyLow(SubBlock(w0, w1, w2, w3, w4, w5, w6, w7, q), sc);
                if (count == 1) continue;
                i1 += ISA.MultiplyLow(SubBlock(w0, w1, w2, w3, w4, w5, w6, w7, (int*)((byte*)q + xs)), sc);
                i2 += ISA.MultiplyLow(SubBlock(w0, w1, w2, w3, w4, w5, w6, w7, (int*)((byte*)q + 2 * xs)), sc);
                i3 += ISA.MultiplyLow(SubBlock(w0, w1, w2, w3, w4, w5, w6, w7, (int*)((byte*)q + 3 * xs)), sc);
            }
            var d = Vec.Load((float*)(panel + KD));
            var dmin = Vec.Load((float*)(panel + KDmin));
            short* mins = (short*)(panel + KMins);
            int sOff = s * Q8_K.BytesPerBlock, mOff = s * 4;
            c0 = Finish(c0, i0, d, dmin, mins, *(float*)(x + sOff), sums + mOff);
            if (count == 1) continue;
            int nsb4 = nsb * 4;
            c1 = Finish(c1, i1, d, dmin, mins, *(float*)(x + xs + sOff), sums + nsb4 + mOff);
            c2 = Finish(c2, i2, d, dmin, mins, *(float*)(x + 2 * xs + sOff), sums + 2 * nsb4 + mOff);
            c3 = Finish(c3, i3, d, dmin, mins, *(float*)(x + 3 * xs + sOff), sums + 3 * nsb4 + mOff);
        }
        c0.Store(y);
        if (count == 1) return;
        c1.Store(y + ys); c2.Store(y + 2 * ys); c3.Store(y + 3 * ys);
    }

    /// <summary>Σ q·x over one sub-block of 32 for the 8 panel rows; q points at the token's 32 activations.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> SubBlock(Vector256<byte> w0, Vector256<byte> w1, Vector256<byte> w2, Vector256<byte> w3,
        Vector256<byte> w4, Vector256<byte> w5, Vector256<byte> w6, Vector256<byte> w7, int* q)
    {
        var s = Dpbusd(Vector256<int>.Zero, w0, Vec.Create(q[0]).AsSByte());
        var u = Dpbusd(Vector256<int>.Zero, w4, Vec.Create(q[4]).AsSByte());
        s = Dpbusd(s, w1, Vec.Create(q[1]).AsSByte());
        u = Dpbusd(u, w5, Vec.Create(q[5]).AsSByte());
        s = Dpbusd(s, w2, Vec.Create(q[2]).AsSByte());
        u = Dpbusd(u, w6, Vec.Create(q[6]).AsSByte());
        s = Dpbusd(s, w3, Vec.Create(q[3]).AsSByte());
        u = Dpbusd(u, w7, Vec.Create(q[7]).AsSByte());
        return s + u;
    }

    /// <summary>acc + d·d_x·sumi − dmin·d_x·summ for one super-block; summ from the minimums and the 4 sum pairs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Finish(Vector256<float> acc, Vector256<int> sumi, Vector256<float> d, Vector256<float> dmin,
        short* mins, float dx, int* pairs)
    {
        var summ = ISA.MultiplyAddAdjacent(Vec.Load(mins), Vec.Create(pairs[0]).AsInt16())
                 + ISA.MultiplyAddAdjacent(Vec.Load(mins + 16), Vec.Create(pairs[1]).AsInt16())
                 + ISA.MultiplyAddAdjacent(Vec.Load(mins + 32), Vec.Create(pairs[2]).AsInt16())
                 + ISA.MultiplyAddAdjacent(Vec.Load(mins + 48), Vec.Create(pairs[3]).AsInt16());
        var dxv = Vec.Create(dx);
        acc = FMA.MultiplyAdd(d * dxv, ISA.ConvertToVector256Single(sumi), acc);
        return FMA.MultiplyAddNegated(dmin * dxv, ISA.ConvertToVector256Single(summ), acc);
    }
}
