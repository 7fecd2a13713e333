using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using ISA = System.Runtime.Intrinsics.X86.Avx2;
using Vec = System.Runtime.Intrinsics.Vector256;

namespace Hearth.Numerics;

/// <summary>
/// AVX2 dot for MXFP4 against Q8_0: the 32 codes of a block are split into nibbles (as Q4_0's) and turned into their
/// doubled E2M1 integers by one byte shuffle (vpshufb with the 16-entry table in both lanes); the integer block sum is
/// exact, as in the reference, and is scaled by d_y · 2^(e−128) into eight float lanes.
/// </summary>
internal static unsafe partial class DotAvx2
{
    /// <summary>kvalues_mxfp4 in both 128-bit lanes, for vpshufb.</summary>
    internal static Vector256<sbyte> Fp4Table => Vec.Create(Vector128.Create((sbyte)0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12));

    /// <summary>16 bytes of E2M1 code pairs → 32 signed values: low nibbles (values 0..15), then high nibbles (16..31).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<sbyte> Fp4Values(byte* p, Vector256<sbyte> table) => ISA.Shuffle(table, Nibbles(p).AsSByte());

    public static float DotMxfp4(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, 32, Mxfp4.BytesPerBlock, weight.Length, "MXFP4");
        Bits.Blocks(n, 32, Q8_0.BytesPerBlock, activation.Length, "Q8_0");
        var acc = Vector256<float>.Zero;
        var table = Fp4Table;
        fixed (byte* pw = weight, pa = activation)
        {
            byte* x = pw, y = pa;
            for (int i = 0; i < nb; i++, x += 17, y += 34)
            {
                var p = DotI8(Fp4Values(x + 1, table), Vector256.Load((sbyte*)(y + 2)));
                var d = Vec.Create(Fp16.Lookup(*(ushort*)y) * Mxfp4.HalfScale(*x));
                acc = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(d, ISA.ConvertToVector256Single(p), acc);
            }
        }
        return HorizontalSum(acc);
    }
}
