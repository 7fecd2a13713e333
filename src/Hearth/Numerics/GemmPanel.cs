using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using FMA = System.Runtime.Intrinsics.X86.Fma;
using ISA = System.Runtime.Intrinsics.X86.Avx2;
using Vec = System.Runtime.Intrinsics.Vector256;
using Vnni = System.Runtime.Intrinsics.X86.AvxVnni;

namespace Hearth.Numerics;

/// <summary>
/// Prompt processing for the 32-element formats (Q4_0, Q8_0) against Q8_0 activations, with one vector lane per weight
/// row. A panel of 8 weight rows is decoded once into a small per-thread buffer, transposed so that the 4-byte groups of
/// the 8 rows at the same column sit in one 256-bit vector (the layout llama.cpp's weight repacking keeps permanently;
/// here it lives only while the panel is in use, so no memory is added). Every token then costs, per block and panel,
/// 8 vpdpbusd with the token's 4-byte groups broadcast, one conversion and one fused multiply-add — a quarter of the
/// instructions of the 4×4 tiles, which need a conversion, a multiply and an add per (row, token) pair and block and a
/// horizontal sum per pair at the end.
/// <para>
/// vpdpbusd multiplies unsigned by signed bytes. The decoded weights are stored unsigned with an offset o (Q4_0: the
/// nibble 0..15, o = 8; Q8_0: w + 128, o = 128), the activations stay signed, and each block sum starts at −o·Σx, the
/// block's activation sum (<see cref="BlockSums"/>, computed once per job). The integer sums are exact; a block adds
/// isum·(d_w·d_x) as ggml's AVX kernels do.
/// </para>
/// </summary>
internal static unsafe partial class GemmPanel
{
    /// <summary>Weight rows per panel (one 256-bit vector of int32 lanes).</summary>
    public const int Rows = 8;

    /// <summary>Below this many tokens the 4×4 tiles are used: decoding a panel costs about as much as 8 tokens.</summary>
    public const int MinTokens = 16;

    // Per block in the panel: 8 groups × 8 rows × 4 bytes, then 8 float scales.
    private const int PanelBlockBytes = 8 * 32 + 8 * 4;

    [ThreadStatic]
    private static byte[]? t_panel;

    /// <summary>Whether <paramref name="type"/> has a panel kernel on this CPU.</summary>
    public static bool Supports(GgmlType type) =>
        (type is GgmlType.Q4_0 or GgmlType.Q8_0 or GgmlType.Q4_K or GgmlType.IQ4_NL or GgmlType.IQ4_XS) && KernelSelector.Active >= KernelVariant.Avx2
        && ISA.IsSupported && FMA.IsSupported && Vnni.IsSupported;

    /// <summary>Ints of activation sums per token that <see cref="ComputeRows"/> needs for a row of <paramref name="cols"/>.</summary>
    public static int SumsPerToken(GgmlType type, int cols) => type switch
    {
        GgmlType.Q4_K => cols / 256 * 4,
        GgmlType.IQ4_XS => cols / 256 * 8,
        _ => cols / 32,
    };

    /// <summary>The activation sums <see cref="ComputeRows"/> starts from, for weights of <paramref name="type"/>.</summary>
    // x: [nTokens, xStride bytes] in the type's vec-dot format. sums: [nTokens, SumsPerToken].
    public static void Sums(GgmlType type, byte* x, int xStride, int nTokens, int cols, int* sums)
    {
        if (type == GgmlType.Q4_K) SubBlockSums(x, xStride, nTokens, cols / 256, sums);
        else if (type == GgmlType.IQ4_XS) XsSubBlockSums(x, xStride, nTokens, cols / 256, sums);
        else BlockSums(x, xStride, nTokens, cols / 32, sums);
    }

    /// <summary>Σ of the 32 int8 values of every Q8_0 activation block: sums[t·nb + b].</summary>
    // x: [nTokens, xStride bytes] Q8_0 rows of nb blocks. sums: [nTokens, nb].
    public static void BlockSums(byte* x, int xStride, int nTokens, int nb, int* sums)
    {
        var ones = Vec.Create((byte)1);
        for (int t = 0; t < nTokens; t++)
        {
            byte* xt = x + (long)t * xStride;
            int* st = sums + (long)t * nb;
            for (int b = 0; b < nb; b++)
            {
                var s = Dpbusd(Vector256<int>.Zero, ones, Vec.Load((sbyte*)(xt + b * 34 + 2)));
                st[b] = DotAvx2.HorizontalSum(s);
            }
        }
    }

    /// <summary>
    /// y[t·rows + r] = W[r] · x[t] for every token and for r in whole panels of [r0, r1); returns the first row not
    /// done (r1 minus the rows short of a panel), which the caller finishes another way.
    /// </summary>
    // w: [rows, nb blocks] of type. x: [nTokens, xStride bytes] Q8_0. sums: [nTokens, nb] from BlockSums. y: [nTokens, rows].
    public static int ComputeRows(GgmlType type, byte* w, int wRowBytes, int cols, int rows, byte* x, int xStride,
        int* sums, int nTokens, float* y, int r0, int r1)
    {
        if (type == GgmlType.Q4_K) return ComputeRowsQ4_K(w, wRowBytes, cols, rows, x, xStride, sums, nTokens, y, r0, r1);
        if (type == GgmlType.IQ4_XS) return ComputeRowsIQ4_XS(w, wRowBytes, cols, rows, x, xStride, sums, nTokens, y, r0, r1);
        int nb = cols >> 5;
        byte* panel = Panel(nb * PanelBlockBytes);
        // Stored unsigned with an offset: Q4_0's nibbles (o = 8), Q8_0's and IQ4_NL's signed values + 128.
        int offset = type == GgmlType.Q4_0 ? 8 : 128;
        int r = r0;
        for (; r + Rows <= r1; r += Rows)
        {
            if (type == GgmlType.Q4_0) DecodeQ4_0(w + (long)r * wRowBytes, wRowBytes, nb, panel);
            else if (type == GgmlType.IQ4_NL) DecodeIQ4_NL(w + (long)r * wRowBytes, wRowBytes, nb, panel);
            else DecodeQ8_0(w + (long)r * wRowBytes, wRowBytes, nb, panel);
            int t = 0;
            for (; t + 4 <= nTokens; t += 4) Tile4(nb, panel, x + (long)t * xStride, xStride, sums + (long)t * nb, offset, y + (long)t * rows + r, rows);
            for (; t < nTokens; t++) Tile1(nb, panel, x + (long)t * xStride, sums + (long)t * nb, offset, y + (long)t * rows + r);
        }
        return r;
    }

    /// <summary>
    /// vpdpbusd: acc + Σ of the four u·s products in each 32-bit lane (u unsigned, s signed bytes). Without AVX-VNNI
    /// (production never gets here then: <see cref="Supports"/> requires it) an exact AVX2 equivalent runs, so the panel
    /// kernels can be tested on any AVX2 machine: even and odd bytes widened to 16 bits, multiplied and pair-summed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<int> Dpbusd(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> s)
    {
        if (Vnni.IsSupported) return Vnni.MultiplyWideningAndAdd(acc, u, s);
        var lowByte = Vec.Create((ushort)0x00FF);
        var uEven = (u.AsUInt16() & lowByte).AsInt16();
        var uOdd = ISA.ShiftRightLogical(u.AsUInt16(), 8).AsInt16();
        var sEven = ISA.ShiftRightArithmetic(ISA.ShiftLeftLogical(s.AsInt16(), 8), 8);
        var sOdd = ISA.ShiftRightArithmetic(s.AsInt16(), 8);
        return acc + ISA.MultiplyAddAdjacent(uEven, sEven) + ISA.MultiplyAddAdjacent(uOdd, sOdd);
    }

    /// <summary>This thread's panel buffer of at least <paramref name="bytes"/>, 32-byte aligned (grows, never shrinks).</summary>
    private static byte* Panel(int bytes)
    {
        var buffer = t_panel;
        if (buffer == null || buffer.Length < bytes + 32) t_panel = buffer = GC.AllocateUninitializedArray<byte>(bytes + 32, pinned: true);
        // Pinned array: its address is stable.
        return (byte*)(((nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer)) + 31) & ~(nint)31);
    }

    // w: [8 rows, nb Q4_0 blocks] at w + r·ws. panel: [nb, PanelBlockBytes].
    private static void DecodeQ4_0(byte* w, nint ws, int nb, byte* panel)
    {
        for (int b = 0; b < nb; b++)
        {
            byte* src = w + b * 18;
            byte* dst = panel + (long)b * PanelBlockBytes;
            Transpose(
                DotAvx2.Nibbles(src + 2).AsInt32(), DotAvx2.Nibbles(src + ws + 2).AsInt32(),
                DotAvx2.Nibbles(src + 2 * ws + 2).AsInt32(), DotAvx2.Nibbles(src + 3 * ws + 2).AsInt32(),
                DotAvx2.Nibbles(src + 4 * ws + 2).AsInt32(), DotAvx2.Nibbles(src + 5 * ws + 2).AsInt32(),
                DotAvx2.Nibbles(src + 6 * ws + 2).AsInt32(), DotAvx2.Nibbles(src + 7 * ws + 2).AsInt32(), dst);
            Scales(src, ws, (float*)(dst + 256));
        }
    }

    // w: [8 rows, nb Q8_0 blocks] at w + r·ws. panel: [nb, PanelBlockBytes].
    private static void DecodeQ8_0(byte* w, nint ws, int nb, byte* panel)
    {
        var bias = Vec.Create((byte)0x80);
        for (int b = 0; b < nb; b++)
        {
            byte* src = w + b * 34;
            byte* dst = panel + (long)b * PanelBlockBytes;
            Transpose(
                (Vec.Load(src + 2) ^ bias).AsInt32(), (Vec.Load(src + ws + 2) ^ bias).AsInt32(),
                (Vec.Load(src + 2 * ws + 2) ^ bias).AsInt32(), (Vec.Load(src + 3 * ws + 2) ^ bias).AsInt32(),
                (Vec.Load(src + 4 * ws + 2) ^ bias).AsInt32(), (Vec.Load(src + 5 * ws + 2) ^ bias).AsInt32(),
                (Vec.Load(src + 6 * ws + 2) ^ bias).AsInt32(), (Vec.Load(src + 7 * ws + 2) ^ bias).AsInt32(), dst);
            Scales(src, ws, (float*)(dst + 256));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Scales(byte* src, nint ws, float* d)
    {
        for (int r = 0; r < Rows; r++) d[r] = Fp16.Lookup(*(ushort*)(src + r * ws));
    }

    /// <summary>8×8 transpose of 32-bit groups: dst[g·32 + r·4] = group g of row r.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(Vector256<int> v0, Vector256<int> v1, Vector256<int> v2, Vector256<int> v3,
        Vector256<int> v4, Vector256<int> v5, Vector256<int> v6, Vector256<int> v7, byte* dst)
    {
        // Within each 128-bit half: pairs of rows, then quads; the halves hold groups 0..3 and 4..7.
        var t0 = ISA.UnpackLow(v0, v1); var t1 = ISA.UnpackHigh(v0, v1);
        var t2 = ISA.UnpackLow(v2, v3); var t3 = ISA.UnpackHigh(v2, v3);
        var t4 = ISA.UnpackLow(v4, v5); var t5 = ISA.UnpackHigh(v4, v5);
        var t6 = ISA.UnpackLow(v6, v7); var t7 = ISA.UnpackHigh(v6, v7);
        var u0 = ISA.UnpackLow(t0.AsInt64(), t2.AsInt64()); var u1 = ISA.UnpackHigh(t0.AsInt64(), t2.AsInt64());
        var u2 = ISA.UnpackLow(t1.AsInt64(), t3.AsInt64()); var u3 = ISA.UnpackHigh(t1.AsInt64(), t3.AsInt64());
        var u4 = ISA.UnpackLow(t4.AsInt64(), t6.AsInt64()); var u5 = ISA.UnpackHigh(t4.AsInt64(), t6.AsInt64());
        var u6 = ISA.UnpackLow(t5.AsInt64(), t7.AsInt64()); var u7 = ISA.UnpackHigh(t5.AsInt64(), t7.AsInt64());
        ISA.Permute2x128(u0, u4, 0x20).Store((long*)dst);
        ISA.Permute2x128(u1, u5, 0x20).Store((long*)(dst + 32));
        ISA.Permute2x128(u2, u6, 0x20).Store((long*)(dst + 64));
        ISA.Permute2x128(u3, u7, 0x20).Store((long*)(dst + 96));
        ISA.Permute2x128(u0, u4, 0x31).Store((long*)(dst + 128));
        ISA.Permute2x128(u1, u5, 0x31).Store((long*)(dst + 160));
        ISA.Permute2x128(u2, u6, 0x31).Store((long*)(dst + 192));
        ISA.Permute2x128(u3, u7, 0x31).Store((long*)(dst + 224));
    }

    // Four tokens against a decoded panel. x: [4 tokens, nb Q8_0 blocks] at x + k·xs. sums: [4, nb]. y: 8 rows at y + k·ys.
    // Fully optimised from the first call: tier-0 code of a SIMD tile is ~8x slower and a benchmark warm-up may not outlast it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4(int nb, byte* panel, byte* x, nint xs, int* sums, int offset, float* y, nint ys)
    {
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
        byte* x0 = x, x1 = x + xs, x2 = x + 2 * xs, x3 = x + 3 * xs;
        int* s0 = sums, s1 = sums + nb, s2 = sums + 2 * nb, s3 = sums + 3 * nb;
        int minusO = -offset;
        for (int b = 0; b < nb; b++, panel += PanelBlockBytes)
        {
            var w0 = Vec.Load(panel); var w1 = Vec.Load(panel + 32); var w2 = Vec.Load(panel + 64); var w3 = Vec.Load(panel + 96);
            var w4 = Vec.Load(panel + 128); var w5 = Vec.Load(panel + 160); var w6 = Vec.Load(panel + 192); var w7 = Vec.Load(panel + 224);
            var d = Vec.Load((float*)(panel + 256));
            nint o = b * 34;
            c0 = Token(c0, w0, w1, w2, w3, w4, w5, w6, w7, d, x0 + o, minusO * s0[b]);
            c1 = Token(c1, w0, w1, w2, w3, w4, w5, w6, w7, d, x1 + o, minusO * s1[b]);
            c2 = Token(c2, w0, w1, w2, w3, w4, w5, w6, w7, d, x2 + o, minusO * s2[b]);
            c3 = Token(c3, w0, w1, w2, w3, w4, w5, w6, w7, d, x3 + o, minusO * s3[b]);
        }
        c0.Store(y); c1.Store(y + ys); c2.Store(y + 2 * ys); c3.Store(y + 3 * ys);
    }

    // One token against a decoded panel. x: [nb Q8_0 blocks]. sums: [nb]. y: 8 rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile1(int nb, byte* panel, byte* x, int* sums, int offset, float* y)
    {
        Vector256<float> c = default;
        for (int b = 0; b < nb; b++, panel += PanelBlockBytes)
        {
            c = Token(c, Vec.Load(panel), Vec.Load(panel + 32), Vec.Load(panel + 64), Vec.Load(panel + 96),
                Vec.Load(panel + 128), Vec.Load(panel + 160), Vec.Load(panel + 192), Vec.Load(panel + 224),
                Vec.Load((float*)(panel + 256)), x + b * 34, -offset * sums[b]);
        }
        c.Store(y);
    }

    /// <summary>acc + isum·(d_w·d_x) for one token's block against the 8 panel rows; xb points at the Q8_0 block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Token(Vector256<float> acc, Vector256<byte> w0, Vector256<byte> w1, Vector256<byte> w2,
        Vector256<byte> w3, Vector256<byte> w4, Vector256<byte> w5, Vector256<byte> w6, Vector256<byte> w7,
        Vector256<float> d, byte* xb, int start)
    {
        int* q = (int*)(xb + 2);
        // Two independent chains: vpdpbusd's latency (~5 cycles) would otherwise bound a chain of eight.
        var s = Dpbusd(Vec.Create(start), w0, Vec.Create(q[0]).AsSByte());
        var u = Dpbusd(Vector256<int>.Zero, w4, Vec.Create(q[4]).AsSByte());
        s = Dpbusd(s, w1, Vec.Create(q[1]).AsSByte());
        u = Dpbusd(u, w5, Vec.Create(q[5]).AsSByte());
        s = Dpbusd(s, w2, Vec.Create(q[2]).AsSByte());
        u = Dpbusd(u, w6, Vec.Create(q[6]).AsSByte());
        s = Dpbusd(s, w3, Vec.Create(q[3]).AsSByte());
        u = Dpbusd(u, w7, Vec.Create(q[7]).AsSByte());
        s += u;
        return FMA.MultiplyAdd(ISA.ConvertToVector256Single(s), d * Vec.Create(Fp16.Lookup(*(ushort*)xb)), acc);
    }
}
