using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Vec = System.Runtime.Intrinsics.Vector128;

namespace Hearth.Numerics;

/// <summary>
/// 128-bit dots for Q4_1, Q5_0 and Q5_1. Each 32-element block is two 16-byte halves (low nibbles ↔ activations 0..15,
/// high nibbles ↔ 16..31); the block's integer sum is exact and is scaled into four float lanes, so results differ from
/// the scalar reference only in float rounding order.
/// </summary>
internal static unsafe partial class DotV128
{
    /// <summary>16 bits of a Q5 block's fifth-bit word spread to bytes: byte j is 0x10 when bit j is set, else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<byte> HighBits(uint bits16)
    {
        // Each byte of the first (second) 8 takes the whole low (high) byte of the word, then tests its own bit.
        const ulong ones = 0x0101010101010101UL;
        var spread = Vec.Create((bits16 & 0xFF) * ones, ((bits16 >> 8) & 0xFF) * ones).AsByte();
        var bit = Vec.Create(0x8040201008040201UL).AsByte();
        return Vec.Equals(spread & bit, bit) & Vec.Create((byte)0x10);
    }

    public static float DotQ4_1(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, 32, Q4_1.BytesPerBlock, weight.Length, "Q4_1");
        Bits.Blocks(n, 32, Q8_1.BytesPerBlock, activation.Length, "Q8_1");
        var acc = Vector128<float>.Zero;
        var mask = Vec.Create((byte)0x0F);
        float summs = 0;
        fixed (byte* pw = weight, pa = activation)
        {
            byte* x = pw, y = pa;
            for (int i = 0; i < nb; i++, x += 20, y += 36)
            {
                var q = Vector128.Load(x + 4);
                var p = UnsignedDot(q & mask, Vector128.Load((sbyte*)(y + 4)))
                      + UnsignedDot(Shr(q, 4) & mask, Vector128.Load((sbyte*)(y + 20)));
                acc = MulAdd(Vec.Create(Fp16.Lookup(*(ushort*)x) * Fp16.Lookup(*(ushort*)y)), Vec.ConvertToSingle(p), acc);
                // Q8_1 stores d·Σy, so the minimum's share of the block is m·d·Σy.
                summs += Fp16.Lookup(*(ushort*)(x + 2)) * Fp16.Lookup(*(ushort*)(y + 2));
            }
        }
        return Vec.Sum(acc) + summs;
    }

    public static float DotQ5_0(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, 32, Q5_0.BytesPerBlock, weight.Length, "Q5_0");
        Bits.Blocks(n, 32, Q8_0.BytesPerBlock, activation.Length, "Q8_0");
        var acc = Vector128<float>.Zero;
        var mask = Vec.Create((byte)0x0F);
        var sixteen = Vec.Create((sbyte)16);
        fixed (byte* pw = weight, pa = activation)
        {
            byte* x = pw, y = pa;
            for (int i = 0; i < nb; i++, x += 22, y += 34)
            {
                uint qh = *(uint*)(x + 2);
                var q = Vector128.Load(x + 6);
                var lo = ((q & mask) | HighBits(qh)).AsSByte() - sixteen;
                var hi = ((Shr(q, 4) & mask) | HighBits(qh >> 16)).AsSByte() - sixteen;
                var p = DotI8(lo, Vector128.Load((sbyte*)(y + 2))) + DotI8(hi, Vector128.Load((sbyte*)(y + 18)));
                acc = MulAdd(Vec.Create(Fp16.Lookup(*(ushort*)x) * Fp16.Lookup(*(ushort*)y)), Vec.ConvertToSingle(p), acc);
            }
        }
        return Vec.Sum(acc);
    }

    public static float DotQ5_1(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, 32, Q5_1.BytesPerBlock, weight.Length, "Q5_1");
        Bits.Blocks(n, 32, Q8_1.BytesPerBlock, activation.Length, "Q8_1");
        var acc = Vector128<float>.Zero;
        var mask = Vec.Create((byte)0x0F);
        float summs = 0;
        fixed (byte* pw = weight, pa = activation)
        {
            byte* x = pw, y = pa;
            for (int i = 0; i < nb; i++, x += 24, y += 36)
            {
                uint qh = *(uint*)(x + 4);
                var q = Vector128.Load(x + 8);
                var p = UnsignedDot((q & mask) | HighBits(qh), Vector128.Load((sbyte*)(y + 4)))
                      + UnsignedDot((Shr(q, 4) & mask) | HighBits(qh >> 16), Vector128.Load((sbyte*)(y + 20)));
                acc = MulAdd(Vec.Create(Fp16.Lookup(*(ushort*)x) * Fp16.Lookup(*(ushort*)y)), Vec.ConvertToSingle(p), acc);
                summs += Fp16.Lookup(*(ushort*)(x + 2)) * Fp16.Lookup(*(ushort*)(y + 2));
            }
        }
        return Vec.Sum(acc) + summs;
    }
}
