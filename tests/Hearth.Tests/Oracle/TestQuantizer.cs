using System.Collections.Concurrent;
using Hearth.Numerics;
using Hearth.Tests.Numerics;

namespace Hearth.Tests.Oracle;

/// <summary>
/// How the random-weight model writers store a row: with Hearth's quantizer where the type has one, else (the grid
/// types IQ1–IQ3, whose ggml quantizers need an importance matrix) as random blocks — every index, sign and scale
/// bit random — whose d is chosen so the row's RMS matches the float row's. A random-weight model loses nothing by
/// that: its weights are random either way, and both engines read the same bytes.
/// </summary>
internal static class TestQuantizer
{
    private static readonly ConcurrentDictionary<GgmlType, float> UnitRms = new();

    public static void Quantize(GgmlType type, ReadOnlySpan<float> row, Span<byte> dst, Random rng)
    {
        var traits = TensorTypes.Get(type);
        if (traits.Quantize != null)
        {
            traits.Quantize(row, dst);
            return;
        }
        double ss = 0;
        foreach (float v in row) ss += (double)v * v;
        float d = (float)Math.Sqrt(ss / row.Length) / UnitRms.GetOrAdd(type, Measure);
        QuantTestData.RandomBlocks(type, row.Length, rng, () => d).CopyTo(dst);
    }

    /// <summary>RMS of the values of random blocks with d = 1.</summary>
    private static float Measure(GgmlType type)
    {
        int n = 256 * 64;
        var v = QuantTestData.Dequantize(type, QuantTestData.RandomBlocks(type, n, new Random(1), () => 1f), n);
        double ss = 0;
        foreach (float x in v) ss += (double)x * x;
        return (float)Math.Sqrt(ss / n);
    }
}
