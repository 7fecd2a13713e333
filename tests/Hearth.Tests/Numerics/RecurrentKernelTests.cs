using Hearth.Numerics;

namespace Hearth.Tests.Numerics;

/// <summary>The recurrent mixers' kernels against their scalar references on random data, odd sizes included.</summary>
public class RecurrentKernelTests
{
    private static float[] Random(Random rng, int n, float scale = 1f)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return v;
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            float allowed = tolerance * MathF.Max(1f, MathF.Abs(expected[i]));
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= allowed, $"{what}: element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(7, 3)]
    [InlineData(33, 4)]
    [InlineData(257, 3)]
    [InlineData(130, 5)]
    public void Conv_step_matches_the_reference_over_channel_ranges(int channels, int kernel)
    {
        var rng = new Random(channels * 31 + kernel);
        var taps = Random(rng, kernel * channels);
        var window = Random(rng, (kernel - 1) * channels);
        var refWindow = (float[])window.Clone();
        for (int step = 0; step < 5; step++)
        {
            var x = Random(rng, channels);
            var expected = new float[channels];
            KernelsReference(refWindow, x, taps, expected, channels);
            var y = new float[channels];
            // Three uneven ranges, as worker chunks split the channels.
            int a = channels / 3, b = 2 * channels / 3 + (channels > 2 ? 1 : 0);
            RecurrentKernels.ConvStep(window, x, taps, y, channels, 0, a);
            RecurrentKernels.ConvStep(window, x, taps, y, channels, a, Math.Min(b, channels));
            RecurrentKernels.ConvStep(window, x, taps, y, channels, Math.Min(b, channels), channels);
            AssertClose(expected, y, 1e-5f, $"step {step} output");
            AssertClose(refWindow, window, 0, $"step {step} window");
        }
    }

    private static void KernelsReference(float[] window, float[] x, float[] taps, float[] y, int channels) =>
        RecurrentKernels.ConvStepReference(window, x, taps, y, channels);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(128)]
    [InlineData(255)]
    public void L2_normalize_matches_the_reference(int n)
    {
        var rng = new Random(n);
        var x = Random(rng, n, 3f);
        var expected = (float[])x.Clone();
        RecurrentKernels.L2NormalizeReference(expected, 1e-6f);
        RecurrentKernels.L2Normalize(x, 1e-6f);
        AssertClose(expected, x, 1e-6f, "l2 norm");
        double norm = 0;
        foreach (float v in x) norm += v * v;
        Assert.InRange(Math.Sqrt(norm), 0.9999, 1.0001);
    }

    [Fact]
    public void L2_normalize_of_zeros_stays_zero()
    {
        var x = new float[5];
        RecurrentKernels.L2Normalize(x, 1e-6f);
        Assert.All(x, v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(16)]
    [InlineData(37)]
    [InlineData(128)]
    public void Delta_rule_step_matches_the_reference(int dim)
    {
        var rng = new Random(dim + 100);
        var m = Random(rng, dim * dim, 0.5f);
        var expectedM = (float[])m.Clone();
        float scale = 1 / MathF.Sqrt(dim);
        for (int step = 0; step < 6; step++)
        {
            var q = Random(rng, dim);
            var k = Random(rng, dim);
            RecurrentKernels.L2NormalizeReference(q, 1e-6f);
            RecurrentKernels.L2NormalizeReference(k, 1e-6f);
            var v = Random(rng, dim);
            float decay = 0.5f + 0.5f * (float)rng.NextDouble(), beta = (float)rng.NextDouble();
            var expected = new float[dim];
            RecurrentKernels.DeltaRuleStepReference(expectedM, q, k, v, decay, beta, scale, expected);
            var o = new float[dim];
            RecurrentKernels.DeltaRuleStep(m, q, k, v, decay, beta, scale, o);
            AssertClose(expected, o, 1e-5f, $"step {step} output");
            AssertClose(expectedM, m, 1e-5f, $"step {step} state");
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(16, 16)]
    [InlineData(7, 37)]
    [InlineData(64, 128)]
    public void Ssm_scan_step_matches_the_reference(int channels, int stateSize)
    {
        var rng = new Random(channels * 1000 + stateSize);
        var state = Random(rng, channels * stateSize, 0.5f);
        var expectedState = (float[])state.Clone();
        for (int step = 0; step < 6; step++)
        {
            var x = Random(rng, channels);
            var b = Random(rng, stateSize);
            var c = Random(rng, stateSize);
            float dt = 0.05f + (float)rng.NextDouble(), decay = MathF.Exp(-dt * (0.5f + (float)rng.NextDouble())), d = (float)rng.NextDouble() * 2 - 1;
            var expected = new float[channels];
            RecurrentKernels.SsmScanStepReference(expectedState, x, b, c, decay, dt, d, expected);
            var y = new float[channels];
            RecurrentKernels.SsmScanStep(state, x, b, c, decay, dt, d, y);
            AssertClose(expected, y, 1e-5f, $"step {step} output");
            AssertClose(expectedState, state, 1e-6f, $"step {step} state");
        }
    }
}
