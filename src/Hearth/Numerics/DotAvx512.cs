using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ISA = System.Runtime.Intrinsics.X86.Avx512BW;
using ISAF = System.Runtime.Intrinsics.X86.Avx512F;
using Vec = System.Runtime.Intrinsics.Vector512;

namespace Hearth.Numerics;

/// <summary>
/// AVX-512 (F + BW) dot kernels: two 32-element blocks per 512-bit vector, each half scaled by its own block's
/// scales. .NET 10 exposes 512-bit VNNI only through AVX10.1, which this class does not require, so the integer dot
/// is the maddubs/madd pair. Types without a kernel here use the AVX2 ones.
/// </summary>
internal static unsafe class DotAvx512
{
    /// <summary>Σ x·y over each 4 adjacent signed bytes → 16 int lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> DotI8(Vector512<sbyte> x, Vector512<sbyte> y)
    {
        // AVX-512 has no vpsignb: move x's sign onto y with a masked negate, then |x| (u8) × y (i8).
        var sy = Vec.ConditionalSelect(Vec.LessThan(x, Vector512<sbyte>.Zero), Vector512<sbyte>.Zero - y, y);
        return ISA.MultiplyAddAdjacent(ISA.MultiplyAddAdjacent(ISA.Abs(x), sy), Vec.Create((short)1));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<sbyte> Load2(byte* a, byte* b) => Vec.Create(Vector256.Load((sbyte*)a), Vector256.Load((sbyte*)b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Scale2(byte* x0, byte* y0, byte* x1, byte* y1) =>
        Vec.Create(Vector256.Create(Fp16.Lookup(*(ushort*)x0) * Fp16.Lookup(*(ushort*)y0)),
                   Vector256.Create(Fp16.Lookup(*(ushort*)x1) * Fp16.Lookup(*(ushort*)y1)));

    public static float DotQ8_0(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, 32, Q8_0.BytesPerBlock, weight.Length, "Q8_0");
        Bits.Blocks(n, 32, Q8_0.BytesPerBlock, activation.Length, "Q8_0");
        var acc = Vector512<float>.Zero;
        int i = 0;
        fixed (byte* pw = weight, pa = activation)
        {
            for (; i + 2 <= nb; i += 2)
            {
                byte* x = pw + i * 34, y = pa + i * 34;
                var p = DotI8(Load2(x + 2, x + 36), Load2(y + 2, y + 36));
                acc = ISAF.FusedMultiplyAdd(Scale2(x, y, x + 34, y + 34), ISAF.ConvertToVector512Single(p), acc);
            }
            float sum = Vec.Sum(acc);
            if (i < nb) sum += Q8_0.DotReference(32, weight.Slice(i * 34, 34), activation.Slice(i * 34, 34));
            return sum;
        }
    }

    public static float DotQ4_0(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        int nb = Bits.Blocks(n, 32, Q4_0.BytesPerBlock, weight.Length, "Q4_0");
        Bits.Blocks(n, 32, Q8_0.BytesPerBlock, activation.Length, "Q8_0");
        var acc = Vector512<float>.Zero;
        var mask = Vec.Create((byte)0x0F);
        var eight = Vec.Create((sbyte)8);
        int i = 0;
        fixed (byte* pw = weight, pa = activation)
        {
            for (; i + 2 <= nb; i += 2)
            {
                byte* x = pw + i * 18, y = pa + i * 34;
                var q0 = Vector128.Load(x + 2);
                var q1 = Vector128.Load(x + 20);
                // Lanes: block 0 low nibbles, block 0 high nibbles, block 1 low, block 1 high (matching Q8_0's value order).
                var shifted = Vec.Create(Vector256.Create(q0, Vector128.ShiftRightLogical(q0.AsUInt16(), 4).AsByte()),
                                         Vector256.Create(q1, Vector128.ShiftRightLogical(q1.AsUInt16(), 4).AsByte()));
                var q = (shifted & mask).AsSByte() - eight;
                var p = DotI8(q, Load2(y + 2, y + 36));
                acc = ISAF.FusedMultiplyAdd(Scale2(x, y, x + 18, y + 34), ISAF.ConvertToVector512Single(p), acc);
            }
            float sum = Vec.Sum(acc);
            if (i < nb) sum += DotAvx2.DotQ4_0(32, weight.Slice(i * 18, 18), activation.Slice(i * 34, 34));
            return sum;
        }
    }

    public static float DotF32(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        var w = MemoryMarshal.Cast<byte, float>(weight)[..n];
        var a = MemoryMarshal.Cast<byte, float>(activation)[..n];
        fixed (float* pw = w, pa = a)
        {
            var acc0 = Vector512<float>.Zero; var acc1 = acc0;
            int i = 0;
            for (; i + 32 <= n; i += 32)
            {
                acc0 = ISAF.FusedMultiplyAdd(Vector512.Load(pw + i), Vector512.Load(pa + i), acc0);
                acc1 = ISAF.FusedMultiplyAdd(Vector512.Load(pw + i + 16), Vector512.Load(pa + i + 16), acc1);
            }
            float sum = Vec.Sum(acc0 + acc1);
            return sum + (i < n ? DotAvx2.DotF32(n - i, weight[(4 * i)..], activation[(4 * i)..]) : 0);
        }
    }

    public static float DotF16(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        var w = MemoryMarshal.Cast<byte, ushort>(weight)[..n];
        var a = MemoryMarshal.Cast<byte, ushort>(activation)[..n];
        fixed (ushort* pw = w, pa = a)
        {
            var acc = Vector512<float>.Zero;
            int i = 0;
            for (; i + 16 <= n; i += 16)
            {
                var wf = Vec.Create(DotAvx2.HalfToSingle(Vector128.Load(pw + i)), DotAvx2.HalfToSingle(Vector128.Load(pw + i + 8)));
                var af = Vec.Create(DotAvx2.HalfToSingle(Vector128.Load(pa + i)), DotAvx2.HalfToSingle(Vector128.Load(pa + i + 8)));
                acc = ISAF.FusedMultiplyAdd(wf, af, acc);
            }
            float sum = Vec.Sum(acc);
            return sum + (i < n ? DotAvx2.DotF16(n - i, weight[(2 * i)..], activation[(2 * i)..]) : 0);
        }
    }
}
