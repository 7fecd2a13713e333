using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using ISA = System.Runtime.Intrinsics.X86.Avx2;
using Vec = System.Runtime.Intrinsics.Vector256;
using Vnni = System.Runtime.Intrinsics.X86.AvxVnni;

namespace Hearth.Numerics;

/// <summary>
/// AVX2 dot kernels for the 32-element formats. Per block the integer sum is exact (as in the reference); the block
/// sums are scaled and accumulated in eight float lanes with FMA, so results differ from the scalar reference only
/// in float rounding order.
/// </summary>
internal static unsafe partial class DotAvx2
{
    /// <summary>Σ x·y over each 4 adjacent signed bytes → 8 int lanes (vpdpbusd with AVX-VNNI; else the maddubs/madd pair).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<int> DotI8(Vector256<sbyte> x, Vector256<sbyte> y)
    {
        // |x| as unsigned times y with x's sign moved onto it: the u8×i8 form both instructions need.
        var ax = ISA.Abs(x);
        var sy = ISA.Sign(y, x);
        if (Vnni.IsSupported) return Vnni.MultiplyWideningAndAdd(Vector256<int>.Zero, ax, sy);
        return ISA.MultiplyAddAdjacent(ISA.MultiplyAddAdjacent(ax, sy), Vec.Create((short)1));
    }

    /// <summary>16 bytes of packed nibbles → 32 bytes: low nibbles (values 0..15) then high nibbles (values 16..31).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<byte> Nibbles(byte* p)
    {
        var q = Vector128.Load(p);
        var both = Vec.Create(q, Vector128.ShiftRightLogical(q.AsUInt16(), 4).AsByte());
        return both & Vec.Create((byte)0x0F);
    }

    /// <summary>32 fifth bits of a Q5 block (bit j of qh) spread to bytes: 0x10 where set, 0 elsewhere.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<byte> HighBits(uint qh)
    {
        // Byte j takes byte j/8 of qh, then tests bit j%8 of it.
        var spread = ISA.Shuffle(Vec.Create(qh).AsByte(),
            Vec.Create((byte)0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3));
        var bit = Vec.Create((byte)1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128);
        return Vec.Equals(spread & bit, bit) & Vec.Create((byte)0x10);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float HorizontalSum(Vector256<float> v) => Vector128.Sum(v.GetLower() + v.GetUpper());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int HorizontalSum(Vector256<int> v) => Vector128.Sum(v.GetLower() + v.GetUpper());

    public static float DotQ8_0(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, 32, Q8_0.BytesPerBlock, weight.Length, "Q8_0");
        Bits.Blocks(n, 32, Q8_0.BytesPerBlock, activation.Length, "Q8_0");
        var acc = Vector256<float>.Zero;
        fixed (byte* pw = weight, pa = activation)
        {
            byte* x = pw, y = pa;
            for (int i = 0; i < nb; i++, x += 34, y += 34)
            {
                var p = DotI8(Vector256.Load((sbyte*)(x + 2)), Vector256.Load((sbyte*)(y + 2)));
                var d = Vec.Create(Fp16.Lookup(*(ushort*)x) * Fp16.Lookup(*(ushort*)y));
                acc = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(d, ISA.ConvertToVector256Single(p), acc);
            }
        }
        return HorizontalSum(acc);
    }

    public static float DotQ4_0(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, 32, Q4_0.BytesPerBlock, weight.Length, "Q4_0");
        Bits.Blocks(n, 32, Q8_0.BytesPerBlock, activation.Length, "Q8_0");
        var acc = Vector256<float>.Zero;
        var eight = Vec.Create((sbyte)8);
        fixed (byte* pw = weight, pa = activation)
        {
            byte* x = pw, y = pa;
            for (int i = 0; i < nb; i++, x += 18, y += 34)
            {
                var q = Nibbles(x + 2).AsSByte() - eight;
                var p = DotI8(q, Vector256.Load((sbyte*)(y + 2)));
                var d = Vec.Create(Fp16.Lookup(*(ushort*)x) * Fp16.Lookup(*(ushort*)y));
                acc = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(d, ISA.ConvertToVector256Single(p), acc);
            }
        }
        return HorizontalSum(acc);
    }

    public static float DotQ5_0(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, 32, Q5_0.BytesPerBlock, weight.Length, "Q5_0");
        Bits.Blocks(n, 32, Q8_0.BytesPerBlock, activation.Length, "Q8_0");
        var acc = Vector256<float>.Zero;
        var sixteen = Vec.Create((sbyte)16);
        fixed (byte* pw = weight, pa = activation)
        {
            byte* x = pw, y = pa;
            for (int i = 0; i < nb; i++, x += 22, y += 34)
            {
                var q = (Nibbles(x + 6) | HighBits(*(uint*)(x + 2))).AsSByte() - sixteen;
                var p = DotI8(q, Vector256.Load((sbyte*)(y + 2)));
                var d = Vec.Create(Fp16.Lookup(*(ushort*)x) * Fp16.Lookup(*(ushort*)y));
                acc = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(d, ISA.ConvertToVector256Single(p), acc);
            }
        }
        return HorizontalSum(acc);
    }

    public static float DotQ4_1(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, 32, Q4_1.BytesPerBlock, weight.Length, "Q4_1");
        Bits.Blocks(n, 32, Q8_1.BytesPerBlock, activation.Length, "Q8_1");
        var acc = Vector256<float>.Zero;
        float summs = 0;
        fixed (byte* pw = weight, pa = activation)
        {
            byte* x = pw, y = pa;
            for (int i = 0; i < nb; i++, x += 20, y += 36)
            {
                var p = UnsignedDot(Nibbles(x + 4), Vector256.Load((sbyte*)(y + 4)));
                var d = Vec.Create(Fp16.Lookup(*(ushort*)x) * Fp16.Lookup(*(ushort*)y));
                acc = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(d, ISA.ConvertToVector256Single(p), acc);
                summs += Fp16.Lookup(*(ushort*)(x + 2)) * Fp16.Lookup(*(ushort*)(y + 2));
            }
        }
        return HorizontalSum(acc) + summs;
    }

    public static float DotQ5_1(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, 32, Q5_1.BytesPerBlock, weight.Length, "Q5_1");
        Bits.Blocks(n, 32, Q8_1.BytesPerBlock, activation.Length, "Q8_1");
        var acc = Vector256<float>.Zero;
        float summs = 0;
        fixed (byte* pw = weight, pa = activation)
        {
            byte* x = pw, y = pa;
            for (int i = 0; i < nb; i++, x += 24, y += 36)
            {
                var q = Nibbles(x + 8) | HighBits(*(uint*)(x + 4));
                var p = UnsignedDot(q, Vector256.Load((sbyte*)(y + 4)));
                var d = Vec.Create(Fp16.Lookup(*(ushort*)x) * Fp16.Lookup(*(ushort*)y));
                acc = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(d, ISA.ConvertToVector256Single(p), acc);
                summs += Fp16.Lookup(*(ushort*)(x + 2)) * Fp16.Lookup(*(ushort*)(y + 2));
            }
        }
        return HorizontalSum(acc) + summs;
    }

    /// <summary>Σ u·y for unsigned u (≤ 127) and signed y over each 4 adjacent bytes → 8 int lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<int> UnsignedDot(Vector256<byte> u, Vector256<sbyte> y)
    {
        if (Vnni.IsSupported) return Vnni.MultiplyWideningAndAdd(Vector256<int>.Zero, u, y);
        return ISA.MultiplyAddAdjacent(ISA.MultiplyAddAdjacent(u, y), Vec.Create((short)1));
    }
}
