using Hearth.Sampling;

namespace Hearth.Tests.Sampling;

/// <summary>Each chain stage on small tables whose results are worked out by hand (comments show the arithmetic).</summary>
public class SamplerStageTests
{
    private static CandidateBuffer Load(params float[] logits)
    {
        var c = new CandidateBuffer(logits.Length);
        c.Load(logits);
        return c;
    }

    private static float[] LogProbs(params double[] p) => [.. p.Select(x => (float)Math.Log(x))];

    private static int[] Ids(CandidateBuffer c) => c.IdSpan.ToArray();

    [Fact]
    public void TopK2_of_1234_keeps_the_two_largest_renormalised()
    {
        var c = Load(1, 2, 3, 4);
        new TopKStage(2).Apply(c);
        c.Softmax();
        Assert.Equal([3, 2], Ids(c));
        // softmax over {3,4}: e^4/(e^3+e^4) = 1/(1+e^-1)
        double p = 1 / (1 + Math.Exp(-1));
        Assert.Equal(p, c.Probs[0], 5);
        Assert.Equal(1 - p, c.Probs[1], 5);
    }

    [Theory]
    [InlineData(0)]   // off
    [InlineData(10)]  // larger than the vocabulary
    public void TopK_off_or_larger_than_vocab_keeps_everything(int k)
    {
        var c = Load(0.5f, 3, -1, 2);
        new TopKStage(k).Apply(c);
        Assert.Equal(4, c.Count);
    }

    [Fact]
    public void TopK_picks_the_k_largest_from_a_large_shuffled_vocab()
    {
        // logits are a permutation of 0..999: the top 5 are 999..995, whatever their positions.
        var rng = new Random(7);
        float[] logits = [.. Enumerable.Range(0, 1000).Select(i => (float)i).OrderBy(_ => rng.Next())];
        var c = Load(logits);
        new TopKStage(5).Apply(c);
        Assert.Equal([999f, 998f, 997f, 996f, 995f], c.LogitSpan.ToArray());
        for (int i = 0; i < 5; i++) Assert.Equal(c.Logits[i], logits[c.Ids[i]]);
    }

    [Theory]
    // probs 0.5, 0.3, 0.15, 0.05 — cumulative 0.5, 0.8, 0.95, 1.0; keep the smallest prefix reaching p.
    [InlineData(0.4, 1)]
    [InlineData(0.5, 1)]
    [InlineData(0.79, 2)]
    [InlineData(0.81, 3)]
    [InlineData(0.9, 3)]
    [InlineData(0.96, 4)]
    public void TopP_keeps_smallest_prefix_reaching_p(double p, int kept)
    {
        var c = Load(LogProbs(0.15, 0.5, 0.05, 0.3));
        new TopPStage((float)p).Apply(c);
        Assert.Equal(kept, c.Count);
        Assert.Equal(new[] { 1, 3, 0, 2 }.Take(kept), Ids(c));
    }

    [Fact]
    public void TopP_1_is_off_and_leaves_the_candidates_untouched()
    {
        var c = Load(LogProbs(0.15, 0.5, 0.05, 0.3));
        new TopPStage(1f).Apply(c);
        Assert.Equal([0, 1, 2, 3], Ids(c));
        Assert.True(c.Identity);
    }

    [Theory]
    // p_max = 0.5, threshold = min_p * 0.5: 0.2 -> 0.1 keeps {0.5,0.3,0.15}; 0.5 -> 0.25 keeps {0.5,0.3}; 0.7 -> 0.35 keeps {0.5}
    [InlineData(0.0, new[] { 0, 1, 2, 3 })]
    [InlineData(0.2, new[] { 0, 1, 2 })]
    [InlineData(0.5, new[] { 0, 1 })]
    [InlineData(0.7, new[] { 0 })]
    public void MinP_keeps_tokens_with_p_at_least_minp_times_pmax(double minP, int[] expected)
    {
        // ids 0..3 with probs 0.5, 0.3, 0.15, 0.05 (unsorted input order is kept)
        var c = Load(LogProbs(0.5, 0.3, 0.15, 0.05));
        new MinPStage((float)minP).Apply(c);
        Assert.Equal(expected, Ids(c));
    }

    [Theory]
    // probs 0.5, 0.3, 0.15, 0.05: H = -Σ p ln p = 1.14212; surprise -ln p = 0.6931, 1.2040, 1.8971, 2.9957;
    // |surprise - H| = 0.4490, 0.0619, 0.7550, 1.8536, so the typical order is ids 1, 0, 2, 3 with mass 0.3, 0.8, 0.95, 1.
    // llama.cpp keeps the shortest prefix whose mass is strictly greater than p.
    [InlineData(0.2, new[] { 1 })]
    [InlineData(0.5, new[] { 1, 0 })]
    [InlineData(0.85, new[] { 1, 0, 2 })]
    [InlineData(0.99, new[] { 1, 0, 2, 3 })]
    public void Typical_keeps_tokens_closest_to_the_entropy(double p, int[] expected)
    {
        var c = Load(LogProbs(0.5, 0.3, 0.15, 0.05));
        new TypicalStage((float)p, 4).Apply(c);
        Assert.Equal(expected, Ids(c));
    }

    [Fact]
    public void Temperature_divides_logits()
    {
        // [1,2,3] / 0.5 = [2,4,6]: neighbouring probability ratios become e^2.
        var c = Load(1, 2, 3);
        new TemperatureStage(0.5f).Apply(c);
        Assert.Equal([2f, 4f, 6f], c.LogitSpan.ToArray());
        c.ComputeProbs();
        Assert.Equal(Math.Exp(2), c.Probs[1] / c.Probs[0], 4);
        Assert.Equal(Math.Exp(2), c.Probs[2] / c.Probs[1], 4);
    }

    [Fact]
    public void Repetition_penalty_divides_positive_and_multiplies_negative_logits()
    {
        var stage = new PenaltyStage(4, 64, repeat: 2f, frequency: 0f, presence: 0f);
        stage.Accept(0);
        stage.Accept(1);
        var c = Load(2, -2, 1, 0.5f);
        stage.Apply(c);
        // 2 / 2 = 1; -2 * 2 = -4; unseen tokens unchanged
        Assert.Equal([1f, -4f, 1f, 0.5f], c.LogitSpan.ToArray());
    }

    [Fact]
    public void Presence_and_frequency_penalties_subtract()
    {
        var stage = new PenaltyStage(4, 64, repeat: 1f, frequency: 0.5f, presence: 0.25f);
        foreach (int t in new[] { 0, 1, 0, 0 }) stage.Accept(t);
        var c = Load(2, -2, 1, 0.5f);
        stage.Apply(c);
        // id 0 seen 3 times: 2 - 3*0.5 - 0.25 = 0.25; id 1 seen once: -2 - 0.5 - 0.25 = -2.75
        Assert.Equal([0.25f, -2.75f, 1f, 0.5f], c.LogitSpan.ToArray());
    }

    [Fact]
    public void Penalty_window_forgets_tokens_older_than_last_n()
    {
        var stage = new PenaltyStage(4, 2, repeat: 1f, frequency: 1f, presence: 0f);
        foreach (int t in new[] { 0, 1, 2 }) stage.Accept(t); // window = [1, 2]
        var c = Load(0, 0, 0, 0);
        stage.Apply(c);
        Assert.Equal([0f, -1f, -1f, 0f], c.LogitSpan.ToArray());
    }

    [Fact]
    public void Penalty_whole_context_counts_everything_until_reset()
    {
        var stage = new PenaltyStage(3, -1, repeat: 1f, frequency: 1f, presence: 0f);
        for (int i = 0; i < 100; i++) stage.Accept(i % 2);
        var c = Load(0, 0, 0);
        stage.Apply(c);
        Assert.Equal([-50f, -50f, 0f], c.LogitSpan.ToArray());
        stage.Reset();
        c.Load([0, 0, 0]);
        stage.Apply(c);
        Assert.Equal([0f, 0f, 0f], c.LogitSpan.ToArray());
    }

    [Fact]
    public void Penalty_applies_by_id_after_reordering()
    {
        var stage = new PenaltyStage(4, 8, repeat: 2f, frequency: 0f, presence: 0f);
        stage.Accept(3);
        var c = Load(1, 2, 3, 4);
        c.SortDescending(); // ids 3,2,1,0
        stage.Apply(c);
        Assert.Equal(2f, c.Logits[Array.IndexOf(c.Ids, 3)]);
    }

    [Fact]
    public void Logit_bias_adds_to_the_named_tokens()
    {
        var c = Load(1, 2, 3);
        new LogitBiasStage(new Dictionary<int, float> { [0] = 5, [2] = float.NegativeInfinity }, 3).Apply(c);
        Assert.Equal([6f, 2f, float.NegativeInfinity], c.LogitSpan.ToArray());
    }

    [Fact]
    public void Logit_bias_outside_vocab_is_a_clear_error()
    {
        var e = Assert.Throws<ArgumentException>(() => new LogitBiasStage(new Dictionary<int, float> { [7] = 1 }, 3));
        Assert.Contains("token 7", e.Message);
    }
}
