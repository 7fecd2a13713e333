using Hearth.Tests.Differential;
using Xunit.Abstractions;

namespace Hearth.Tests.Architectures;

/// <summary>
/// The fast forward pass against the plain reference forward on the qwen3moe, smollm3 and mistral3 F32 files (tolerance
/// as in <see cref="ReferenceForwardTests"/>: 4e-3 of the logit range, the fast path's F16 cache, queries and softmax
/// weights against the reference's F32; 8e-3 for qwen3moe, where those roundings can swap a token's 5th and 6th expert
/// when their router probabilities nearly tie: measured 4.3e-3 at one of 40 positions), over 40 positions so smollm3's unrotated layer and mistral3's temperature
/// steps (every 16 positions) are covered; and qwen3moe's prompt grouped by expert against the same tokens one at a time.
/// </summary>
public class RecentFamilyReferenceTests(RecentFamilyModels models, ITestOutputHelper output) : IClassFixture<RecentFamilyModels>
{
    private const int Context = 64;

    private static int[] Tokens()
    {
        var t = new int[40];
        t[0] = 1;
        for (int i = 1; i < t.Length; i++) t[i] = 3 + (i * 97 + 13) % 320;
        return t;
    }

    [Theory]
    [InlineData("qwen3moe-F32")]
    [InlineData("smollm3-F32")]
    [InlineData("mistral3-F32")]
    public void Fast_forward_matches_the_reference_forward(string name)
    {
        using var model = Model.Load(models.PathOf(name), new ModelOptions { Threads = 2 });
        using var session = model.CreateSession(Context);
        var reference = model.CreateReference(Context);
        int vocab = model.Config.VocabSize;
        int[] tokens = Tokens();
        var all = new float[tokens.Length * vocab];
        session.EvaluateAll(tokens, all);
        float worst = 0;
        for (int p = 0; p < tokens.Length; p++)
        {
            float[] expected = reference.Forward(tokens[p], p);
            float range = LogitComparison.Range(expected);
            float allowed = name.StartsWith("qwen3moe", StringComparison.Ordinal) ? 8e-3f : 4e-3f;
            float diff = LogitComparison.AssertClose(expected, all.AsSpan(p * vocab, vocab).ToArray(), allowed * range, $"position {p}");
            worst = MathF.Max(worst, diff / range);
        }
        output.WriteLine($"{name}: max |fast - reference| / range {worst:E1}");
    }

    [Fact]
    public void Qwen3moe_prompt_grouped_by_expert_matches_token_by_token()
    {
        using var model = Model.Load(models.PathOf("qwen3moe-Q8_0"), new ModelOptions { Threads = 2 });
        int vocab = model.Config.VocabSize;
        int[] tokens = Tokens();
        using var batch = model.CreateSession(Context);
        var all = new float[tokens.Length * vocab];
        batch.EvaluateAll(tokens, all);
        using var single = model.CreateSession(Context);
        for (int p = 0; p < tokens.Length; p++)
        {
            float[] expected = single.Evaluate(tokens.AsSpan(p, 1)).ToArray();
            // Same roundings on both sides; only the summation order of GEMM tiles and per-row dots differs.
            LogitComparison.AssertClose(expected, all.AsSpan(p * vocab, vocab).ToArray(), 1e-4f * LogitComparison.Range(expected), $"position {p}");
        }
    }
}
