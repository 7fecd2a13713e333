using Hearth.Numerics;

namespace Hearth.Tests.Numerics;

/// <summary>Deterministic random rows and quantized buffers for the kernel tests.</summary>
internal static class QuantTestData
{
    /// <summary>Weight types that have a dot kernel, with the row lengths (in elements) the tests use for each.</summary>
    public static readonly GgmlType[] WeightTypes =
    [
        GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1,
        GgmlType.Q8_0, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
        GgmlType.IQ4_NL, GgmlType.IQ4_XS, GgmlType.IQ3_XXS, GgmlType.IQ3_S, GgmlType.IQ2_XXS, GgmlType.IQ2_XS,
        GgmlType.IQ2_S, GgmlType.IQ1_S, GgmlType.IQ1_M, GgmlType.TQ1_0, GgmlType.TQ2_0, GgmlType.MXFP4,
    ];

    /// <summary>Offsets of the fp16 scale fields in each weight block (IQ1_M spreads its one over four nibbles).</summary>
    public static int[] HalfFields(GgmlType type) => type switch
    {
        GgmlType.Q4_0 or GgmlType.Q5_0 or GgmlType.Q8_0 or GgmlType.IQ4_NL or GgmlType.IQ4_XS or GgmlType.IQ3_XXS
            or GgmlType.IQ3_S or GgmlType.IQ2_XXS or GgmlType.IQ2_XS or GgmlType.IQ2_S or GgmlType.IQ1_S => [0],
        GgmlType.Q4_1 or GgmlType.Q5_1 or GgmlType.Q4_K or GgmlType.Q5_K => [0, 2],
        GgmlType.Q2_K => [80, 82],
        GgmlType.Q3_K => [108],
        GgmlType.Q6_K => [208],
        GgmlType.TQ1_0 => [52],
        GgmlType.TQ2_0 => [64],
        GgmlType.IQ1_M or GgmlType.MXFP4 => [],
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>
    /// Random blocks of <paramref name="type"/>: every bit random except the fp16 scales, set to <paramref name="scale"/>
    /// (random bits would give infinities and NaNs). For the grid types, which have no quantizer, this is how tests get weights.
    /// </summary>
    public static byte[] RandomBlocks(GgmlType type, int n, Random rng, Func<float> scale)
    {
        var traits = TensorTypes.Get(type);
        var w = new byte[traits.RowBytes(n)];
        rng.NextBytes(w);
        for (int b = 0; b < w.Length; b += traits.BytesPerBlock)
        {
            foreach (int o in HalfFields(type)) BitConverter.TryWriteBytes(w.AsSpan(b + o, 2), Fp16.FromFloat(scale()));
            // MXFP4's E8M0 exponent: scales 2^-28 .. 2^-1 (every byte is a finite power of two; these keep sums finite).
            if (type == GgmlType.MXFP4) w[b] = (byte)rng.Next(100, 128);
            if (type == GgmlType.IQ1_M)
            {
                ushort h = Fp16.FromFloat(scale());
                for (int k = 0; k < 4; k++)
                {
                    int o = b + 48 + 2 * k;
                    ushort word = (ushort)((BitConverter.ToUInt16(w, o) & 0x0FFF) | (((h >> (4 * k)) & 0xF) << 12));
                    BitConverter.TryWriteBytes(w.AsSpan(o, 2), word);
                }
            }
        }
        return w;
    }

    /// <summary>
    /// Typical |value| / scale of each grid type's blocks (mid-range scale code times the mean grid magnitude), so that
    /// synthetic blocks of <see cref="Quantize"/> have about the magnitude of the row they stand for.
    /// </summary>
    private static float GridGain(GgmlType type) => type switch
    {
        GgmlType.IQ2_XXS or GgmlType.IQ2_XS or GgmlType.IQ2_S => 8 * 0.25f * 20,
        GgmlType.IQ3_XXS => 8 * 0.5f * 25,
        GgmlType.IQ3_S => 16 * 25,
        GgmlType.IQ1_S or GgmlType.IQ1_M => 8,
        _ => 1,
    };

    /// <summary>1 block, 2, odd counts and a longer row; for float types, lengths that leave every SIMD tail.</summary>
    public static int[] Lengths(GgmlType type)
    {
        int b = TensorTypes.Get(type).BlockSize;
        if (b == 1) return [1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 255, 256, 1000];
        return [b, 2 * b, 3 * b, 5 * b, 7 * b, 9 * b, 17 * b, 33 * b];
    }

    /// <summary>Roughly normal values (sum of uniforms), scale varying by seed; some rows get outliers.</summary>
    public static float[] RandomRow(int n, int seed)
    {
        var rng = new Random(seed);
        float scale = (float)Math.Pow(10, rng.Next(-2, 3));
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            double u = rng.NextDouble() + rng.NextDouble() + rng.NextDouble() - 1.5;
            x[i] = (float)(u * scale);
            if (seed % 3 == 0 && rng.Next(64) == 0) x[i] *= 20;
        }
        return x;
    }

    public static byte[] Quantize(GgmlType type, float[] x)
    {
        var traits = TensorTypes.Get(type);
        if (traits.Quantize is null)
        {
            // No quantizer (the importance-matrix types): deterministic random blocks of about the row's magnitude.
            float amax = 0;
            foreach (float v in x) amax = Math.Max(amax, Math.Abs(v));
            var rng = new Random(x.Length * 31 + BitConverter.SingleToInt32Bits(x[0]));
            float d = amax / GridGain(type);
            return RandomBlocks(type, x.Length, rng, () => d * (float)(0.5 + rng.NextDouble()));
        }
        var q = new byte[traits.RowBytes(x.Length)];
        traits.Quantize(x, q);
        return q;
    }

    public static float[] Dequantize(GgmlType type, byte[] q, int n)
    {
        var y = new float[n];
        TensorTypes.Get(type).Dequantize(q, y);
        return y;
    }
}
