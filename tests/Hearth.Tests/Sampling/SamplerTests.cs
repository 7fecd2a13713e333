using Hearth.Sampling;

namespace Hearth.Tests.Sampling;

public class SamplerTests
{
    private static float[] LogProbs(params double[] p) => [.. p.Select(x => (float)Math.Log(x))];

    private static readonly SamplerOptions Plain = new() { Temperature = 1, TopK = 0, TopP = 1, MinP = 0 };

    [Fact]
    public void Defaults_match_llama_cpp_common_params()
    {
        var o = new SamplerOptions();
        Assert.Equal(0.8f, o.Temperature);
        Assert.Equal(40, o.TopK);
        Assert.Equal(0.95f, o.TopP);
        Assert.Equal(0.05f, o.MinP);
        Assert.Equal(1f, o.TypicalP);
        Assert.Equal(1f, o.RepeatPenalty);
        Assert.Equal(0f, o.PresencePenalty);
        Assert.Equal(0f, o.FrequencyPenalty);
        Assert.Equal(64, o.PenaltyLastN);
        Assert.Null(o.Seed);
        Assert.Equal(0f, SamplerOptions.Greedy.Temperature);
    }

    [Fact]
    public void Greedy_takes_the_largest_logit_after_penalties()
    {
        var s = new Sampler(SamplerOptions.Greedy with { RepeatPenalty = 4f }, 4);
        float[] logits = [1, 3, 2, 0];
        Assert.Equal(1, s.Sample(logits));
        s.Accept(1); // 3 / 4 = 0.75 < 2
        Assert.Equal(2, s.Sample(logits));
        s.Reset();
        Assert.Equal(1, s.Sample(logits));
    }

    [Fact]
    public void Sampling_frequencies_follow_the_probabilities()
    {
        double[] p = [0.1, 0.2, 0.3, 0.4];
        var s = new Sampler(Plain with { Seed = 42 }, 4);
        var logits = LogProbs(p);
        const int n = 40_000;
        var counts = new int[4];
        for (int i = 0; i < n; i++) counts[s.Sample(logits)]++;
        double chi2 = 0;
        for (int i = 0; i < 4; i++) chi2 += Math.Pow(counts[i] - n * p[i], 2) / (n * p[i]);
        Assert.True(chi2 < 16.27, $"chi-square {chi2:F2} over the 99.9% critical value for 3 degrees of freedom; counts {string.Join(",", counts)}");
    }

    [Fact]
    public void Temperature_sharpens_the_distribution_as_p_to_the_1_over_t()
    {
        // p ∝ [1, 2]^(1/0.5) = [1, 4] -> 0.2, 0.8
        var s = new Sampler(Plain with { Temperature = 0.5f, Seed = 1 }, 2);
        var logits = LogProbs(1.0 / 3, 2.0 / 3);
        const int n = 20_000;
        int ones = 0;
        for (int i = 0; i < n; i++) ones += s.Sample(logits);
        double sd = Math.Sqrt(n * 0.8 * 0.2);
        Assert.InRange(ones, n * 0.8 - 4 * sd, n * 0.8 + 4 * sd);
    }

    [Fact]
    public void Default_chain_never_picks_what_top_p_and_min_p_remove()
    {
        // sorted probs 0.9, 0.06, 0.04: top-p 0.95 stops at 0.96 (drops id 1); min-p 0.05 alone would too (0.04 < 0.045)
        var s = new Sampler(new SamplerOptions { Seed = 3 }, 3);
        var logits = LogProbs(0.9, 0.04, 0.06);
        var seen = new int[3];
        for (int i = 0; i < 5000; i++) seen[s.Sample(logits)]++;
        Assert.Equal(0, seen[1]);
        Assert.True(seen[2] > 0);
    }

    [Fact]
    public void Top_k_1_is_greedy()
    {
        var s = new Sampler(new SamplerOptions { TopK = 1, Seed = 9 }, 5);
        float[] logits = [0.1f, 0.3f, 0.2f, 0.25f, 0f];
        for (int i = 0; i < 100; i++) Assert.Equal(1, s.Sample(logits));
    }

    [Fact]
    public void Same_seed_same_tokens_different_seed_different_tokens()
    {
        var rng = new Random(5);
        float[][] steps = [.. Enumerable.Range(0, 64).Select(_ => Enumerable.Range(0, 500).Select(_ => (float)rng.NextDouble() * 4).ToArray())];
        int[] Run(ulong seed)
        {
            var s = new Sampler(new SamplerOptions { Seed = seed, TopK = 0, TopP = 1, MinP = 0, Temperature = 1.5f }, 500);
            return [.. steps.Select(l => { int t = s.Sample(l); s.Accept(t); return t; })];
        }
        Assert.Equal(Run(1234), Run(1234));
        Assert.NotEqual(Run(1234), Run(1235));

        var again = new Sampler(new SamplerOptions { Seed = 77 }, 500);
        int first = again.Sample(steps[0]);
        again.Sample(steps[1]);
        again.Reset();
        Assert.Equal(first, again.Sample(steps[0]));
    }

    [Fact]
    public void Random_seed_is_reported_and_reproduces()
    {
        var logits = new float[100];
        var a = new Sampler(Plain, 100);
        var b = new Sampler(Plain with { Seed = a.Seed }, 100);
        for (int i = 0; i < 50; i++) Assert.Equal(a.Sample(logits), b.Sample(logits));
    }

    [Fact]
    public void Sample_allocates_nothing_after_warm_up()
    {
        const int vocab = 4096;
        var rng = new Random(1);
        float[] logits = [.. Enumerable.Range(0, vocab).Select(_ => (float)(rng.NextDouble() * 10))];
        var options = new SamplerOptions
        {
            Seed = 1, TypicalP = 0.9f, RepeatPenalty = 1.1f, FrequencyPenalty = 0.1f, PresencePenalty = 0.1f,
            LogitBias = new Dictionary<int, float> { [5] = 1f },
        };
        foreach (var o in new[] { options, options with { TopK = 0 }, SamplerOptions.Greedy with { RepeatPenalty = 1.2f } })
        {
            var s = new Sampler(o, vocab);
            for (int i = 0; i < 200; i++) s.Accept(s.Sample(logits));
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++) s.Accept(s.Sample(logits));
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    [Fact]
    public void Wrong_logits_length_is_a_clear_error()
    {
        var s = new Sampler(Plain, 10);
        var e = Assert.Throws<ArgumentException>(() => s.Sample(new float[9]));
        Assert.Contains("Expected 10 logits", e.Message);
    }

    [Theory]
    [InlineData("TopP")]
    [InlineData("MinP")]
    [InlineData("TopK")]
    [InlineData("RepeatPenalty")]
    [InlineData("PenaltyLastN")]
    [InlineData("TypicalP")]
    public void Bad_options_are_clear_errors(string name)
    {
        var o = name switch
        {
            "TopP" => new SamplerOptions { TopP = 1.5f },
            "MinP" => new SamplerOptions { MinP = -0.1f },
            "TopK" => new SamplerOptions { TopK = -1 },
            "RepeatPenalty" => new SamplerOptions { RepeatPenalty = 0 },
            "PenaltyLastN" => new SamplerOptions { PenaltyLastN = -2 },
            _ => new SamplerOptions { TypicalP = 0 },
        };
        var e = Assert.Throws<ArgumentException>(() => new Sampler(o, 10));
        Assert.StartsWith(name, e.Message);
    }

    [Fact]
    public void Accept_out_of_range_token_is_a_clear_error()
    {
        var s = new Sampler(Plain, 10);
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Accept(10));
    }
}
