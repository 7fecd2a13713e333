using Hearth.Numerics;
using Hearth.Tests.Differential;
using Xunit.Abstractions;

namespace Hearth.Tests.Architectures;

/// <summary>
/// The fast forward pass against the plain reference forward (<see cref="Hearth.Models.ReferenceTransformer"/>) on the
/// architecture cases: latent attention (absorbed, attending in latent space, vs decompressed into per-head keys and
/// values) and mixtures of experts (tokens grouped by expert over the batch vs one token's experts at a time), in the
/// Lite form (attn_q, softmax router) and the V3 form (attn_q_a/attn_q_b, sigmoid router with exp_probs_b, groups),
/// plus the other architectures the reference covers. Also: a prompt run as one batch equals the same tokens one at a
/// time (the grouped expert GEMMs against per-token expert products).
/// </summary>
public class ReferenceForwardTests(ArchitectureModels models, ITestOutputHelper output) : IClassFixture<ArchitectureModels>
{
    private const int Context = 64;

    private static readonly int[] Tokens = [1, 262, 297, 72, 280, 17, 265, 290, 120, 259, 33, 270];

    /// <summary>
    /// Fractions of the logit range. F32 weights: the fast path keeps the cache, the queries and the softmax weights in
    /// F16 as llama.cpp does (~5e-4 relative each), the reference everything in F32 (measured ≤ 7e-4). Q8_0: the fast path also rounds
    /// activations to Q8_0 before every product (~4e-3 relative each; measured 2e-2 over 12 positions of the V3 case).
    /// </summary>
    private static float Tolerance(GgmlType type) => type == GgmlType.F32 ? 4e-3f : 4e-2f;

    public static TheoryData<string> Cases() => new(
        "deepseek2-lite-F32", "deepseek2-lite-kvb-F32", "deepseek2-v3-F32", "deepseek2-v3-Q8_0",
        "phi3-F32", "phi3-longrope-long-F32", "phi3-longrope-short-F32", "gemma2-F32", "gemma3-F32");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fast_forward_matches_the_reference_forward(string name)
    {
        using var model = Model.Load(models.PathOf(name), new ModelOptions { Threads = 2 });
        using var session = model.CreateSession(Context);
        var reference = model.CreateReference(Context);
        int vocab = model.Config.VocabSize;
        var all = new float[Tokens.Length * vocab];
        session.EvaluateAll(Tokens, all);
        float allowed = Tolerance(ArchitectureCases.WeightType(name)), worst = 0;
        for (int p = 0; p < Tokens.Length; p++)
        {
            float[] expected = reference.Forward(Tokens[p], p);
            float range = LogitComparison.Range(expected);
            float diff = LogitComparison.AssertClose(expected, all.AsSpan(p * vocab, vocab).ToArray(), allowed * range, $"position {p}");
            worst = MathF.Max(worst, diff / range);
        }
        output.WriteLine($"{name}: max |fast - reference| / range {worst:E1} (allowed {allowed:E1})");
    }

    [Theory]
    [InlineData("deepseek2-lite-F32")]
    [InlineData("deepseek2-v3-Q8_0")]
    public void Prompt_grouped_by_expert_matches_token_by_token(string name)
    {
        using var model = Model.Load(models.PathOf(name), new ModelOptions { Threads = 2 });
        int vocab = model.Config.VocabSize;
        using var batch = model.CreateSession(Context);
        var all = new float[Tokens.Length * vocab];
        batch.EvaluateAll(Tokens, all);
        using var single = model.CreateSession(Context);
        float worst = 0;
        for (int p = 0; p < Tokens.Length; p++)
        {
            float[] expected = single.Evaluate(Tokens.AsSpan(p, 1)).ToArray();
            float range = LogitComparison.Range(expected);
            // Same roundings on both sides; only the summation order of GEMM tiles and per-row dots differs.
            float diff = LogitComparison.AssertClose(expected, all.AsSpan(p * vocab, vocab).ToArray(), 1e-4f * range, $"position {p}");
            worst = MathF.Max(worst, diff / range);
        }
        output.WriteLine($"{name}: max |batch - one at a time| / range {worst:E1}");
    }
}
