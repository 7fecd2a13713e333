using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Vec = System.Runtime.Intrinsics.Vector128;

namespace Hearth.Numerics;

/// <summary>128-bit dots for F32, F16 and BF16 rows: two independent 4-lane float accumulators, then a scalar tail.</summary>
internal static unsafe partial class DotV128
{
    public static float DotF32(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation)
    {
        var w = MemoryMarshal.Cast<byte, float>(weight)[..n];
        var a = MemoryMarshal.Cast<byte, float>(activation)[..n];
        fixed (float* pw = w, pa = a)
        {
            var acc0 = Vector128<float>.Zero; var acc1 = acc0;
            int i = 0;
            for (; i + 8 <= n; i += 8)
            {
                acc0 = MulAdd(Vector128.Load(pw + i), Vector128.Load(pa + i), acc0);
                acc1 = MulAdd(Vector128.Load(pw + i + 4), Vector128.Load(pa + i + 4), acc1);
            }
            float sum = Vec.Sum(acc0 + acc1);
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
            var acc0 = Vector128<float>.Zero; var acc1 = acc0;
            int i = 0;
            for (; i + 8 <= n; i += 8)
            {
                var (wl, wh) = Vec.Widen(Vector128.Load(pw + i));
                var (al, ah) = Vec.Widen(Vector128.Load(pa + i));
                acc0 = MulAdd(HalfToSingle(wl), HalfToSingle(al), acc0);
                acc1 = MulAdd(HalfToSingle(wh), HalfToSingle(ah), acc1);
            }
            float sum = Vec.Sum(acc0 + acc1);
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
            var acc0 = Vector128<float>.Zero; var acc1 = acc0;
            int i = 0;
            for (; i + 8 <= n; i += 8)
            {
                // bf16 is the top half of a float: widening to 32 bits and shifting left by 16 is the exact conversion.
                var (wl, wh) = Vec.Widen(Vector128.Load(pw + i));
                var (al, ah) = Vec.Widen(Vector128.Load(pa + i));
                acc0 = MulAdd((wl << 16).AsSingle(), (al << 16).AsSingle(), acc0);
                acc1 = MulAdd((wh << 16).AsSingle(), (ah << 16).AsSingle(), acc1);
            }
            float sum = Vec.Sum(acc0 + acc1);
            for (; i < n; i++) sum += Fp16.BF16ToFloat(pw[i]) * Fp16.BF16ToFloat(pa[i]);
            return sum;
        }
    }

    /// <summary>
    /// Four fp16 values (zero-extended to 32 bits) to float, bit-exact with <see cref="Fp16.ToFloat(ushort)"/>. Normals, infinities
    /// and NaNs move the exponent by integer adds (NaNs made quiet); subnormals are formed as (2^-14 + m·2^-24) - 2^-14, an exact float
    /// subtraction of normal numbers, so no step touches a float subnormal (which costs a microcode assist on x86).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> HalfToSingle(Vector128<uint> h)
    {
        var sign = (h & Vec.Create(0x8000u)) << 16;
        var mag = (h & Vec.Create(0x7fffu)) << 13;
        // Exponent bias 15 → 127: add 112 to the exponent field; infinities and NaNs (exponent 31) get 255 by adding it twice.
        var normal = mag + Vec.Create(112u << 23);
        normal += Vec.GreaterThanOrEqual(mag, Vec.Create(0x7c00u << 13)) & Vec.Create(112u << 23);
        // NaNs come out quiet, payload kept, as the IEEE conversion (and F16C) does.
        normal |= Vec.GreaterThan(mag, Vec.Create(0x7c00u << 13)) & Vec.Create(0x00400000u);
        var sub = ((mag + Vec.Create(113u << 23)).AsSingle() - Vec.Create(6.103515625e-05f)).AsUInt32(); // 2^-14
        var isSub = Vec.LessThan(mag, Vec.Create(0x0400u << 13));
        return (Vec.ConditionalSelect(isSub, sub, normal) | sign).AsSingle();
    }
}
