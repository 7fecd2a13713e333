using System.Runtime.Intrinsics;

namespace Hearth.Numerics;

/// <summary>
/// IQ1_S (ggml-common.h <c>block_iq1_s</c>, 50 bytes per 256 values): fp16 d, 32 bytes of low grid-index bits, then per
/// 32 values a 16-bit word: 3 high index bits per 8 values (an 11-bit index into the 2048-entry grid of -1/0/1 triples),
/// a 3-bit scale s and a sign bit for the shift δ = ±1/8. value = d·(2s + 1)·(grid + δ).
/// </summary>
internal static unsafe class IQ1_S
{
    public const int BlockSize = KQuantMath.QK_K;
    public const int BytesPerBlock = 50;
    public const float Delta = 0.125f;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = Bits.Blocks(dst.Length, BlockSize, BytesPerBlock, src.Length, "IQ1_S");
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BytesPerBlock, BytesPerBlock);
            float d = Bits.Half(b, 0);
            var y = dst.Slice(i * BlockSize, BlockSize);
            for (int ib = 0; ib < 8; ib++)
            {
                int qh = Bits.U16(b, 34 + 2 * ib);
                float dl = d * (2 * ((qh >> 12) & 7) + 1);
                float delta = (qh & 0x8000) != 0 ? -Delta : Delta;
                for (int l = 0; l < 4; l++)
                {
                    ulong grid = IqTables.Iq1s[b[2 + 4 * ib + l] | (((qh >> (3 * l)) & 7) << 8)];
                    for (int j = 0; j < 8; j++) y[32 * ib + 8 * l + j] = dl * (IqTables.SByte(grid, j) + delta);
                }
            }
        }
    }

    /// <summary>As ggml_vec_dot_iq1_s_q8_K_generic (the shifts enter through Q8_K's 16-element sums).</summary>
    public static float DotReference(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, BlockSize, BytesPerBlock, weight.Length, "IQ1_S");
        Bits.Blocks(n, Q8_K.BlockSize, Q8_K.BytesPerBlock, activation.Length, "Q8_K");
        float sumf = 0;
        for (int i = 0; i < nb; i++)
        {
            var x = weight.Slice(i * BytesPerBlock, BytesPerBlock);
            var y = activation.Slice(i * Q8_K.BytesPerBlock, Q8_K.BytesPerBlock);
            int sumi = 0, sumi1 = 0;
            for (int ib = 0; ib < 8; ib++)
            {
                int qh = Bits.U16(x, 34 + 2 * ib);
                int ls = 2 * ((qh >> 12) & 7) + 1;
                int delta = (qh & 0x8000) != 0 ? -1 : 1;
                int lsum = 0;
                for (int l = 0; l < 4; l++)
                {
                    ulong grid = IqTables.Iq1s[x[2 + 4 * ib + l] | (((qh >> (3 * l)) & 7) << 8)];
                    for (int j = 0; j < 8; j++) lsum += (sbyte)y[Q8_K.QsOffset + 32 * ib + 8 * l + j] * IqTables.SByte(grid, j);
                }
                sumi += ls * lsum;
                sumi1 += ls * delta * (Bits.I16(y, Q8_K.BsumsOffset + 4 * ib) + Bits.I16(y, Q8_K.BsumsOffset + 4 * ib + 2));
            }
            sumf += Bits.Half(x, 0) * Bits.F32(y, 0) * (sumi + Delta * sumi1);
        }
        return sumf;
    }

    public static float Decode(byte* x, sbyte* q, short* s)
    {
        var eight = System.Runtime.Intrinsics.Vector128.Create((sbyte)8);
        for (int ib = 0; ib < 8; ib++)
        {
            int qh = *(ushort*)(x + 34 + 2 * ib);
            var delta = System.Runtime.Intrinsics.Vector128.Create((sbyte)((qh & 0x8000) != 0 ? -1 : 1));
            byte* qs = x + 2 + 4 * ib;
            for (int h = 0; h < 2; h++)
            {
                int l = 2 * h;
                var g = System.Runtime.Intrinsics.Vector128.Create(IqTables.Iq1s[qs[l] | (((qh >> (3 * l)) & 7) << 8)],
                    IqTables.Iq1s[qs[l + 1] | (((qh >> (3 * l + 3)) & 7) << 8)]).AsSByte();
                (g * eight + delta).Store(q + 32 * ib + 16 * h);
            }
            s[2 * ib] = s[2 * ib + 1] = (short)(2 * ((qh >> 12) & 7) + 1);
        }
        return Fp16.Lookup(*(ushort*)x) * Delta;
    }
}
