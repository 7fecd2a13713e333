using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FMA = System.Runtime.Intrinsics.X86.Fma;
using ISA = System.Runtime.Intrinsics.X86.Avx2;
using Vec = System.Runtime.Intrinsics.Vector256;

namespace Hearth.Numerics;

/// <summary>AVX2 + FMA dots for F32, F16 and BF16 rows: four independent 8-lane float accumulators, then a scalar tail.</summary>
internal static unsafe partial class DotAvx2
{
    /// <summary>Eight fp16 values to float, exactly (normals, subnormals via a 2^112 rescale, infinities and NaNs).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> HalfToSingle(Vector128<ushort> h)
    {
        var w = ISA.ConvertToVector256Int32(h).AsUInt32();
        var sign = (w & Vec.Create(0x8000u)) << 16;
        var mag = (w & Vec.Create(0x7fffu)) << 13;
        var f = (mag.AsSingle() * Vec.Create(5.192296858534828e33f)).AsUInt32(); // 2^112 moves the exponent bias 15 → 127
        var infNan = Vec.GreaterThanOrEqual(mag, Vec.Create(0x7c00u << 13)) & Vec.Create(0x7f800000u);
        return (f | infNan | sign).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> BF16ToSingle(Vector128<ushort> h) => (ISA.ConvertToVector256Int32(h).AsUInt32() << 16).AsSingle();

    public static float DotF32(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        var w = MemoryMarshal.Cast<byte, float>(weight)[..n];
        var a = MemoryMarshal.Cast<byte, float>(activation)[..n];
        fixed (float* pw = w, pa = a)
        {
            var acc0 = Vector256<float>.Zero; var acc1 = acc0; var acc2 = acc0; var acc3 = acc0;
            int i = 0;
            for (; i + 32 <= n; i += 32)
            {
                acc0 = FMA.MultiplyAdd(Vector256.Load(pw + i), Vector256.Load(pa + i), acc0);
                acc1 = FMA.MultiplyAdd(Vector256.Load(pw + i + 8), Vector256.Load(pa + i + 8), acc1);
                acc2 = FMA.MultiplyAdd(Vector256.Load(pw + i + 16), Vector256.Load(pa + i + 16), acc2);
                acc3 = FMA.MultiplyAdd(Vector256.Load(pw + i + 24), Vector256.Load(pa + i + 24), acc3);
            }
            for (; i + 8 <= n; i += 8) acc0 = FMA.MultiplyAdd(Vector256.Load(pw + i), Vector256.Load(pa + i), acc0);
            float sum = HorizontalSum((acc0 + acc1) + (acc2 + acc3));
            for (; i < n; i++) sum += pw[i] * pa[i];
            return sum;
        }
    }

    public static float DotF16(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        var w = MemoryMarshal.Cast<byte, ushort>(weight)[..n];
        var a = MemoryMarshal.Cast<byte, ushort>(activation)[..n];
        fixed (ushort* pw = w, pa = a)
        {
            var acc0 = Vector256<float>.Zero; var acc1 = acc0;
            int i = 0;
            for (; i + 16 <= n; i += 16)
            {
                acc0 = FMA.MultiplyAdd(HalfToSingle(Vector128.Load(pw + i)), HalfToSingle(Vector128.Load(pa + i)), acc0);
                acc1 = FMA.MultiplyAdd(HalfToSingle(Vector128.Load(pw + i + 8)), HalfToSingle(Vector128.Load(pa + i + 8)), acc1);
            }
            for (; i + 8 <= n; i += 8) acc0 = FMA.MultiplyAdd(HalfToSingle(Vector128.Load(pw + i)), HalfToSingle(Vector128.Load(pa + i)), acc0);
            float sum = HorizontalSum(acc0 + acc1);
            for (; i < n; i++) sum += Fp16.Lookup(pw[i]) * Fp16.Lookup(pa[i]);
            return sum;
        }
    }

    public static float DotBF16(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        var w = MemoryMarshal.Cast<byte, ushort>(weight)[..n];
        var a = MemoryMarshal.Cast<byte, ushort>(activation)[..n];
        fixed (ushort* pw = w, pa = a)
        {
            var acc0 = Vector256<float>.Zero; var acc1 = acc0;
            int i = 0;
            for (; i + 16 <= n; i += 16)
            {
                acc0 = FMA.MultiplyAdd(BF16ToSingle(Vector128.Load(pw + i)), BF16ToSingle(Vector128.Load(pa + i)), acc0);
                acc1 = FMA.MultiplyAdd(BF16ToSingle(Vector128.Load(pw + i + 8)), BF16ToSingle(Vector128.Load(pa + i + 8)), acc1);
            }
            for (; i + 8 <= n; i += 8) acc0 = FMA.MultiplyAdd(BF16ToSingle(Vector128.Load(pw + i)), BF16ToSingle(Vector128.Load(pa + i)), acc0);
            float sum = HorizontalSum(acc0 + acc1);
            for (; i < n; i++) sum += Fp16.BF16ToFloat(pw[i]) * Fp16.BF16ToFloat(pa[i]);
            return sum;
        }
    }
}
