using Hearth.Numerics;

namespace Hearth.Tests.Numerics;

/// <summary>Deterministic random rows and quantized buffers for the kernel tests.</summary>
internal static class QuantTestData
{
    /// <summary>Weight types that have a dot kernel, with the row lengths (in elements) the tests use for each.</summary>
    public static readonly GgmlType[] WeightTypes =
    [
        GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1,
        GgmlType.Q8_0, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.MXFP4,
    ];

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
        var q = new byte[traits.RowBytes(x.Length)];
        traits.Quantize!(x, q);
        return q;
    }

    public static float[] Dequantize(GgmlType type, byte[] q, int n)
    {
        var y = new float[n];
        TensorTypes.Get(type).Dequantize(q, y);
        return y;
    }
}
