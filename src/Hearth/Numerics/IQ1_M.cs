using System.Runtime.Intrinsics;

namespace Hearth.Numerics;

/// <summary>
/// IQ1_M (ggml-common.h <c>block_iq1_m</c>, 56 bytes per 256 values, no separate d): 32 bytes of low grid-index bits,
/// 16 bytes holding per 8 values 3 high index bits and a shift sign bit (δ = ±1/8), 8 bytes of 3-bit scales (one per 16
/// values) whose top nibbles together form the fp16 super-block scale d. value = d·(2s + 1)·(grid + δ).
/// </summary>
internal static unsafe class IQ1_M
{
    public const int BlockSize = KQuantMath.QK_K;
    public const int BytesPerBlock = 56;

    /// <summary>The fp16 d spread over the top 4 bits of the four 16-bit scale words.</summary>
    private static ushort Scale(ReadOnlySpan<byte> b)
    {
        int s0 = Bits.U16(b, 48), s1 = Bits.U16(b, 50), s2 = Bits.U16(b, 52), s3 = Bits.U16(b, 54);
        return (ushort)((s0 >> 12) | ((s1 >> 8) & 0x00F0) | ((s2 >> 4) & 0x0F00) | (s3 & 0xF000));
    }

    private static int Index(ReadOnlySpan<byte> b, int ib, int l) => b[4 * ib + l] | ((b[32 + 2 * ib + l / 2] << (8 - 4 * (l % 2))) & 0x700);

    private static bool Negative(ReadOnlySpan<byte> b, int ib, int l) => (b[32 + 2 * ib + l / 2] & (l % 2 == 0 ? 0x08 : 0x80)) != 0;

    /// <summary>The 3-bit scale code of values 16·k .. 16·k + 15.</summary>
    private static int ScaleCode(ReadOnlySpan<byte> b, int k) => (Bits.U16(b, 48 + 2 * (k / 4)) >> (3 * (k % 4))) & 7;

    public static void Dequantize(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = Bits.Blocks(dst.Length, BlockSize, BytesPerBlock, src.Length, "IQ1_M");
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * BytesPerBlock, BytesPerBlock);
            float d = Fp16.ToFloat(Scale(b));
            var y = dst.Slice(i * BlockSize, BlockSize);
            for (int ib = 0; ib < 8; ib++)
            {
                for (int l = 0; l < 4; l++)
                {
                    float dl = d * (2 * ScaleCode(b, 2 * ib + l / 2) + 1);
                    float delta = Negative(b, ib, l) ? -IQ1_S.Delta : IQ1_S.Delta;
                    ulong grid = IqTables.Iq1s[Index(b, ib, l)];
                    for (int j = 0; j < 8; j++) y[32 * ib + 8 * l + j] = dl * (IqTables.SByte(grid, j) + delta);
                }
            }
        }
    }

    /// <summary>As ggml_vec_dot_iq1_m_q8_K_generic.</summary>
    public static float DotReference(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, BlockSize, BytesPerBlock, weight.Length, "IQ1_M");
        Bits.Blocks(n, Q8_K.BlockSize, Q8_K.BytesPerBlock, activation.Length, "Q8_K");
        float sumf = 0;
        Span<int> sum1 = stackalloc int[2], sum2 = stackalloc int[2];
        for (int i = 0; i < nb; i++)
        {
            var x = weight.Slice(i * BytesPerBlock, BytesPerBlock);
            var y = activation.Slice(i * Q8_K.BytesPerBlock, Q8_K.BytesPerBlock);
            int sumi1 = 0, sumi2 = 0;
            for (int ib = 0; ib < 8; ib++)
            {
                sum1.Clear();
                sum2.Clear();
                for (int l = 0; l < 4; l++)
                {
                    ulong grid = IqTables.Iq1s[Index(x, ib, l)];
                    int delta = Negative(x, ib, l) ? -1 : 1;
                    int lsum1 = 0, lsum2 = 0;
                    for (int j = 0; j < 8; j++)
                    {
                        int q8 = (sbyte)y[Q8_K.QsOffset + 32 * ib + 8 * l + j];
                        lsum1 += q8 * IqTables.SByte(grid, j);
                        lsum2 += q8;
                    }
                    sum1[l / 2] += lsum1;
                    sum2[l / 2] += lsum2 * delta;
                }
                int ls1 = 2 * ScaleCode(x, 2 * ib) + 1, ls2 = 2 * ScaleCode(x, 2 * ib + 1) + 1;
                sumi1 += sum1[0] * ls1 + sum1[1] * ls2;
                sumi2 += sum2[0] * ls1 + sum2[1] * ls2;
            }
            sumf += Fp16.ToFloat(Scale(x)) * Bits.F32(y, 0) * (sumi1 + IQ1_S.Delta * sumi2);
        }
        return sumf;
    }

    public static float Decode(byte* x, sbyte* q, short* s)
    {
        var block = new ReadOnlySpan<byte>(x, BytesPerBlock);
        for (int ib = 0; ib < 8; ib++)
        {
            for (int h = 0; h < 2; h++)
            {
                int l = 2 * h;
                var g = System.Runtime.Intrinsics.Vector128.Create(IqTables.Iq1s[Index(block, ib, l)], IqTables.Iq1s[Index(block, ib, l + 1)]).AsSByte();
                var delta = System.Runtime.Intrinsics.Vector128.Create(
                    System.Runtime.Intrinsics.Vector64.Create((sbyte)(Negative(block, ib, l) ? -1 : 1)),
                    System.Runtime.Intrinsics.Vector64.Create((sbyte)(Negative(block, ib, l + 1) ? -1 : 1)));
                (g * System.Runtime.Intrinsics.Vector128.Create((sbyte)8) + delta).Store(q + 32 * ib + 16 * h);
                s[2 * ib + h] = (short)(2 * ScaleCode(block, 2 * ib + h) + 1);
            }
        }
        return Fp16.Lookup(Scale(block)) * IQ1_S.Delta;
    }
}
