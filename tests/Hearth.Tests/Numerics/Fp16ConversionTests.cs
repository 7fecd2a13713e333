using System.Runtime.Intrinsics;
using Hearth.Numerics;

namespace Hearth.Tests.Numerics;

/// <summary>
/// The vectorised fp16/bf16 → float conversions against the scalar ones, bit for bit, over every one of the 65536
/// encodings (zeros, subnormals, normals, infinities, NaNs with their payloads, both signs). The scalar fp16 conversion
/// is .NET's IEEE Half → float cast; bf16 → float is the IEEE identity of shifting into the top half.
/// </summary>
public class Fp16ConversionTests
{
    private static ushort[] AllEncodings()
    {
        var h = new ushort[65536];
        for (int i = 0; i < h.Length; i++) h[i] = (ushort)i;
        return h;
    }

    private static void AssertBitExact(ushort[] src, float[] got, Func<ushort, float> scalar, string what)
    {
        for (int i = 0; i < src.Length; i++)
        {
            uint want = BitConverter.SingleToUInt32Bits(scalar(src[i]));
            uint have = BitConverter.SingleToUInt32Bits(got[i]);
            Assert.True(want == have, $"{what}: 0x{src[i]:X4} → 0x{have:X8}, scalar gives 0x{want:X8}");
        }
    }

    [Fact]
    public void Scalar_fp16_conversion_matches_known_values()
    {
        // External truth: IEEE 754 binary16 definitions.
        Assert.Equal(1f, Fp16.ToFloat(0x3C00));
        Assert.Equal(-2f, Fp16.ToFloat(0xC000));
        Assert.Equal(65504f, Fp16.ToFloat(0x7BFF));
        Assert.Equal(MathF.Pow(2, -24), Fp16.ToFloat(0x0001));
        Assert.Equal(1023 * MathF.Pow(2, -24), Fp16.ToFloat(0x03FF));
        Assert.Equal(float.PositiveInfinity, Fp16.ToFloat(0x7C00));
        Assert.Equal(0x80000000u, BitConverter.SingleToUInt32Bits(Fp16.ToFloat(0x8000)));
        Assert.True(float.IsNaN(Fp16.ToFloat(0x7E00)));
    }

    [Fact]
    public void Bulk_fp16_conversion_is_bit_exact_for_all_encodings()
    {
        var src = AllEncodings();
        var dst = new float[src.Length];
        Fp16.ToFloat(src, dst);
        AssertBitExact(src, dst, Fp16.ToFloat, "Fp16.ToFloat(span)");

        // The dequantizer goes through it too, and odd lengths leave every vector tail.
        foreach (int n in new[] { 0, 1, 7, 8, 9, 31, 33, 1000 })
        {
            var part = src.AsSpan(0x7BF0 - n / 2, n).ToArray(); // straddles the largest normals and the infinities
            var bytes = new byte[2 * n];
            Buffer.BlockCopy(part, 0, bytes, 0, bytes.Length);
            var got = new float[n];
            FloatFormats.DequantizeF16(bytes, got);
            AssertBitExact(part, got, Fp16.ToFloat, $"DequantizeF16 n={n}");
        }
    }

    [Fact]
    public void Bulk_bf16_conversion_is_bit_exact_for_all_encodings()
    {
        var src = AllEncodings();
        var dst = new float[src.Length];
        Fp16.BF16ToFloat(src, dst);
        AssertBitExact(src, dst, h => BitConverter.UInt32BitsToSingle((uint)h << 16), "Fp16.BF16ToFloat(span)");
        var odd = new float[13];
        Fp16.BF16ToFloat(src.AsSpan(0x3F80, 13), odd);
        Assert.Equal(1f, odd[0]); // 0x3F80 is bf16 1.0
    }

    [Fact]
    public void V128_fp16_kernel_conversion_is_bit_exact_for_all_encodings()
    {
        var src = AllEncodings();
        var dst = new float[src.Length];
        for (int i = 0; i < src.Length; i += 4)
        {
            var h = Vector128.Create((uint)src[i], src[i + 1], src[i + 2], src[i + 3]);
            DotV128.HalfToSingle(h).CopyTo(dst, i);
        }
        AssertBitExact(src, dst, Fp16.ToFloat, "DotV128.HalfToSingle");
    }
}
