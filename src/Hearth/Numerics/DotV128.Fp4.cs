using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Vec = System.Runtime.Intrinsics.Vector128;

namespace Hearth.Numerics;

/// <summary>
/// 128-bit dot for MXFP4 against Q8_0: each half of a block's codes (low nibbles ↔ activations 0..15, high ↔ 16..31)
/// becomes its doubled E2M1 integers by a 16-entry table lookup (Arm's TBL, SSSE3's pshufb); the integer block sum is
/// exact and is scaled by d_y · 2^(e−128) into four float lanes.
/// </summary>
internal static unsafe partial class DotV128
{
    /// <summary>table[i] for 16 indices in 0..15.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<sbyte> Lookup16(Vector128<sbyte> table, Vector128<byte> indices)
    {
        if (AdvSimd.Arm64.IsSupported) return AdvSimd.Arm64.VectorTableLookup(table, indices.AsSByte());
        if (Ssse3.IsSupported) return Ssse3.Shuffle(table, indices.AsSByte());
        return Vec.Shuffle(table, indices.AsSByte());
    }

    public static float DotMxfp4(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, 32, Mxfp4.BytesPerBlock, weight.Length, "MXFP4");
        Bits.Blocks(n, 32, Q8_0.BytesPerBlock, activation.Length, "Q8_0");
        var acc = Vector128<float>.Zero;
        var mask = Vec.Create((byte)0x0F);
        var table = Vec.Create((sbyte)0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12);
        fixed (byte* pw = weight, pa = activation)
        {
            byte* x = pw, y = pa;
            for (int i = 0; i < nb; i++, x += 17, y += 34)
            {
                var q = Vector128.Load(x + 1);
                var p = DotI8(Lookup16(table, q & mask), Vector128.Load((sbyte*)(y + 2)))
                      + DotI8(Lookup16(table, Shr(q, 4) & mask), Vector128.Load((sbyte*)(y + 18)));
                acc = MulAdd(Vec.Create(Fp16.Lookup(*(ushort*)y) * Mxfp4.HalfScale(*x)), Vec.ConvertToSingle(p), acc);
            }
        }
        return Vec.Sum(acc);
    }
}
