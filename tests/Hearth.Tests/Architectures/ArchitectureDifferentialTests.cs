using Hearth.Numerics;
using Hearth.Tests.Differential;
using Hearth.Tests.Oracle;
using Xunit.Abstractions;

namespace Hearth.Tests.Architectures;

/// <summary>
/// phi3, gemma2, gemma3 and deepseek2 (Lite-style and V3-style, split and fused kv_b) against llama.cpp (LLamaSharp
/// 0.30.0, scalar build, F16 KV cache, flash attention off) on the same random-weight GGUF: all logits after a 10-token
/// prompt and after each of 32 greedy steps (positions past the sliding windows of 8), and the greedy tokens themselves.
/// </summary>
/// <remarks>
/// Tolerances are fractions of the logit range after the prompt, the same as the Llama-family differential tests
/// (<see cref="LlamaCppDifferentialTests.Tolerance"/>: 2e-3 for F32, 2.5e-2 for quantized weights), for the same
/// reasons: both engines round the same operands (F16 cache, F16 queries and softmax weights, Q8_0 activations for
/// Q8_0 weights, ggml's F16 GELU table), leaving summation order. Latent attention differs in one more way: llama.cpp
/// decompresses fused attn_kv_b files into full F16 keys and values while Hearth always attends in latent space;
/// that case still sits inside the F32 bound. Greedy tokens must be identical (no near-tie allowance is needed here).
/// </remarks>
public class ArchitectureDifferentialTests(ArchitectureModels models, ITestOutputHelper output) : IClassFixture<ArchitectureModels>
{
    private const int GreedySteps = 32;

    private static readonly int[] Prompt = [1, 262, 297, 72, 280, 17, 265, 290, 120, 259];

    public static TheoryData<string> Cases() => new(ArchitectureCases.All.Keys);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Logits_and_greedy_tokens_match_llama_cpp(string name)
    {
        string path = models.PathOf(name);
        using var oracle = LlamaCppOracle.Load(path, contextSize: 64);
        using var model = Model.Load(path, new ModelOptions { Threads = 2 });
        using var session = model.CreateSession(contextSize: 64);
        Assert.Equal(oracle.VocabSize, model.Config.VocabSize);

        float[] expected = oracle.LastLogits(Prompt);
        float[] actual = session.Evaluate(Prompt).ToArray();
        float range = LogitComparison.Range(expected);
        float allowed = LlamaCppDifferentialTests.Tolerance(ArchitectureCases.WeightType(name));
        float tolerance = allowed * range;
        float worst = LogitComparison.AssertClose(expected, actual, tolerance, "after the prompt");

        var tokens = new int[GreedySteps];
        for (int step = 0; step < GreedySteps; step++)
        {
            tokens[step] = LlamaCppOracle.ArgMax(expected);
            int mine = LlamaCppOracle.ArgMax(actual);
            Assert.True(tokens[step] == mine,
                $"greedy step {step}: llama.cpp chose {tokens[step]} (logit {expected[tokens[step]]}; Hearth {actual[tokens[step]]}), " +
                $"Hearth chose {mine} (logit {actual[mine]}; llama.cpp {expected[mine]}); tokens before: {string.Join(' ', tokens[..step])}");
            if (step + 1 == GreedySteps) break;
            expected = oracle.Evaluate([tokens[step]]);
            actual = session.Evaluate([tokens[step]]).ToArray();
            worst = MathF.Max(worst, LogitComparison.AssertClose(expected, actual, tolerance, $"after greedy step {step} (token {tokens[step]})"));
        }
        output.WriteLine($"{name}: max |logit difference| / range {worst / range:E1} (allowed {allowed:E1}); greedy: {string.Join(' ', tokens)}");
    }
}
