using Hearth.Numerics;

namespace Hearth.Tests.Numerics;

/// <summary>
/// The vectorised element-wise kernels of the forward pass against their scalar references (bit for bit where the
/// vector code makes the same roundings) and against their definitions in double, over odd lengths.
/// </summary>
public class ElementwiseKernelTests
{
    private static float[] RandomFloats(Random rnd, int n, double range)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)((rnd.NextDouble() * 2 - 1) * range);
        return x;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rotary_pairs_match_the_scalar_reference_bit_for_bit(bool neox)
    {
        var style = neox ? RopeStyle.NeoX : RopeStyle.Normal;
        var rnd = new Random(3);
        for (int pairs = 1; pairs <= 41; pairs++)
        {
            foreach (int extra in new[] { 0, 3 })
            {
                int headDim = 2 * pairs + extra, heads = 3; // extra: dimensions past n_dims stay as they are
                var x = RandomFloats(rnd, heads * headDim, 3);
                var cos = new float[pairs];
                var sin = new float[pairs];
                for (int i = 0; i < pairs; i++)
                {
                    double angle = rnd.NextDouble() * 20;
                    cos[i] = (float)Math.Cos(angle);
                    sin[i] = (float)Math.Sin(angle);
                }
                var want = x.ToArray();
                VectorOps.RotatePairsScalar(want, heads, headDim, style, cos, sin);
                VectorOps.RotatePairs(x, heads, headDim, style, cos, sin);
                for (int i = 0; i < x.Length; i++)
                {
                    Assert.True(BitConverter.SingleToUInt32Bits(want[i]) == BitConverter.SingleToUInt32Bits(x[i]),
                        $"{style} pairs {pairs} head dim {headDim} element {i}: {x[i]} vs scalar {want[i]}");
                }
            }
        }
    }

    [Theory]
    [InlineData(false, 0, 1)]
    [InlineData(true, 0, 8)]
    public void Rope_rotates_the_first_pair_by_the_position(bool neox, int a, int b)
    {
        var style = neox ? RopeStyle.NeoX : RopeStyle.Normal;
        // theta_0 = p · base^0 = p: the unit vector on the first pair's first dimension turns to (cos p, sin p).
        var rope = new Rope(16, style, 10000f, 1f, null);
        var yarn = new YarnRope(16, style, 10000f, 1f, null, 0f, 1f, 32f, 1f, 4096);
        foreach (int pos in new[] { 0, 1, 7, 300 })
        {
            var x = new float[16];
            x[a] = 1;
            var y = x.ToArray();
            rope.Apply(x, 1, 16, pos);
            yarn.Apply(y, 1, 16, pos);
            Assert.Equal(Math.Cos(pos), x[a], 1e-5);
            Assert.Equal(Math.Sin(pos), x[b], 1e-5);
            Assert.Equal(x, y);
        }
    }

    [Fact]
    public void Gelu_glu_matches_the_scalar_reference_bit_for_bit()
    {
        var rnd = new Random(5);
        for (int n = 0; n <= 600; n += n < 40 ? 1 : 37)
        {
            var gate = RandomFloats(rnd, n, 12); // beyond ±10 too: the clamped ranges
            if (n > 3) { gate[0] = -10f; gate[1] = 10f; gate[2] = 9.999f; }
            var up = RandomFloats(rnd, n, 2);
            var want = gate.ToArray();
            GeluTanh.GluScalar(want, up);
            GeluTanh.Glu(gate, up);
            for (int i = 0; i < n; i++) Assert.True(BitConverter.SingleToUInt32Bits(want[i]) == BitConverter.SingleToUInt32Bits(gate[i]), $"n {n} element {i}");
        }
    }

    [Fact]
    public void SwiGlu_softmax_and_rms_norm_match_their_definitions()
    {
        var rnd = new Random(9);
        foreach (int n in new[] { 1, 5, 17, 63, 64, 65, 127, 255, 257, 700 })
        {
            var gate = RandomFloats(rnd, n, 8);
            var up = RandomFloats(rnd, n, 2);
            var g = gate.ToArray();
            VectorOps.SwiGlu(g, up);
            for (int i = 0; i < n; i++)
            {
                double want = gate[i] / (1 + Math.Exp(-gate[i])) * up[i];
                Assert.True(Math.Abs(g[i] - want) <= 1e-5 * (1 + Math.Abs(want)), $"silu n {n} element {i}: {g[i]} vs {want}");
            }

            var s = RandomFloats(rnd, n, 30);
            double max = s.Max(), sum = s.Sum(v => Math.Exp(v - max));
            var p = s.ToArray();
            VectorOps.Softmax(p);
            for (int i = 0; i < n; i++) Assert.True(Math.Abs(p[i] - Math.Exp(s[i] - max) / sum) <= 1e-6, $"softmax n {n} element {i}");

            var x = RandomFloats(rnd, n, 5);
            var w = RandomFloats(rnd, n, 2);
            var y = new float[n];
            VectorOps.RmsNorm(x, w, 1e-5f, y);
            double rms = Math.Sqrt(x.Sum(v => (double)v * v) / n + 1e-5);
            for (int i = 0; i < n; i++) Assert.True(Math.Abs(y[i] - x[i] / rms * w[i]) <= 1e-5 * (1 + Math.Abs(y[i])), $"rms norm n {n} element {i}");
        }
    }

    /// <summary>gpt-oss's clamped SwiGLU against its definition (ggml's swiglu_oai) in double, over lengths that cross
    /// the 256-element slices, with gate and up values well past the clamp limit of 7 on both sides.</summary>
    [Fact]
    public void Clamped_swiglu_matches_its_definition()
    {
        var rnd = new Random(8);
        foreach (int n in new[] { 1, 7, 255, 256, 257, 600 })
        {
            var gate = RandomFloats(rnd, n, 12);
            var up = RandomFloats(rnd, n, 12);
            var want = new double[n];
            for (int i = 0; i < n; i++)
            {
                double x = Math.Min(gate[i], 7.0), y = Math.Clamp(up[i], -7.0, 7.0);
                want[i] = x / (1 + Math.Exp(-1.702 * x)) * (y + 1);
            }
            VectorOps.SwigluOai(gate, up);
            for (int i = 0; i < n; i++)
                Assert.True(Math.Abs(gate[i] - want[i]) <= 1e-5 * (1 + Math.Abs(want[i])), $"n={n} [{i}]: {gate[i]} vs {want[i]}");
        }
    }

    /// <summary>Softmax with a sink logit: the scores' weights sum to 1 − the sink's share, each as its definition.</summary>
    [Fact]
    public void Softmax_with_sink_leaves_the_sink_its_share()
    {
        var rnd = new Random(9);
        foreach (int n in new[] { 1, 5, 33 })
        {
            foreach (float sink in new[] { -30f, 0f, 2.5f, 40f })
            {
                var x = RandomFloats(rnd, n, 4);
                double max = Math.Max(x.Max(), sink), z = Math.Exp(sink - max);
                foreach (float v in x) z += Math.Exp(v - max);
                var want = x.Select(v => Math.Exp(v - max) / z).ToArray();
                VectorOps.SoftmaxWithSink(x, sink);
                for (int i = 0; i < n; i++)
                    Assert.True(Math.Abs(x[i] - want[i]) <= 1e-6, $"n={n} sink={sink} [{i}]: {x[i]} vs {want[i]}");
            }
        }
    }
}
