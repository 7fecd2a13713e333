using Hearth.Tests.Differential;
using Hearth.Tests.Oracle;
using Xunit.Abstractions;

namespace Hearth.Tests.Architectures;

/// <summary>
/// Hybrid recurrent models (LFM2's short convolutions, Qwen3.5's Gated DeltaNet, Qwen3.5-MoE, Granite 4.0 H's Mamba-2) against llama.cpp
/// (LLamaSharp 0.30.0, CPU, F16 KV cache, F32 recurrent state) on the same random-weight GGUF: all logits after a
/// 70-token prompt (longer than one of llama.cpp's 64-token delta-net chunks and not a multiple of it) and after each
/// of 32 greedy steps, and the greedy tokens themselves.
/// </summary>
/// <remarks>
/// Tolerances are those of the other differential tests (<see cref="LlamaCppDifferentialTests.Tolerance"/>: 2e-3 of
/// the logit range for F32, 2.5e-2 for quantized weights). Hearth runs the delta rule in its recurrent form for every
/// token while llama.cpp processes a prompt in its chunked form, so the state differs by summation order only. Greedy
/// tokens must be identical except at near-ties (llama.cpp's best two within the tolerance), of which at most two are
/// allowed; there both continue with llama.cpp's token.
/// </remarks>
public class HybridDifferentialTests(ArchitectureModels models, ITestOutputHelper output) : IClassFixture<ArchitectureModels>
{
    private const int GreedySteps = 32, Context = 128;

    internal static readonly int[] Prompt = BuildPrompt(70);

    public static TheoryData<string> Cases() => new(HybridCases.All.Keys);

    internal static int[] BuildPrompt(int n)
    {
        var rng = new Random(5);
        var p = new int[n];
        p[0] = 1;
        for (int i = 1; i < n; i++) p[i] = rng.Next(3, 301);
        return p;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Logits_and_greedy_tokens_match_llama_cpp(string name) => Compare(name, Prompt, GreedySteps);

    /// <summary>Mamba-2 (granitehybrid) with prompts shorter and longer than one forward batch, a single token included:
    /// the state's first steps (an empty convolution window) and a prompt ending mid-way are covered; 16 greedy steps.</summary>
    [Theory]
    [InlineData("granitehybrid-F32", 1)]
    [InlineData("granitehybrid-F32", 9)]
    [InlineData("granitehybrid-Q8_0", 33)]
    [InlineData("granitehybrid-moe-F32", 5)]
    [InlineData("granitehybrid-moe-Q8_0", 47)]
    public void Mamba2_prompts_of_several_lengths_match_llama_cpp(string name, int length) => Compare(name, BuildPrompt(length), 16);

    private void Compare(string name, int[] prompt, int greedySteps)
    {
        string path = models.PathOf(name);
        using var oracle = LlamaCppOracle.Load(path, contextSize: Context);
        using var model = Model.Load(path, new ModelOptions { Threads = 2 });
        using var session = model.CreateSession(contextSize: Context);
        Assert.Equal(oracle.VocabSize, model.Config.VocabSize);

        float[] expected = oracle.LastLogits(prompt);
        float[] actual = session.Evaluate(prompt).ToArray();
        float range = LogitComparison.Range(expected);
        float allowed = LlamaCppDifferentialTests.Tolerance(HybridCases.WeightType(name));
        float tolerance = allowed * range;
        float worst = LogitComparison.AssertClose(expected, actual, tolerance, "after the prompt");

        var tokens = new int[greedySteps];
        int nearTies = 0;
        for (int step = 0; step < greedySteps; step++)
        {
            tokens[step] = LlamaCppOracle.ArgMax(expected);
            int mine = LlamaCppOracle.ArgMax(actual);
            if (mine != tokens[step])
            {
                bool tie = expected[tokens[step]] - expected[mine] <= tolerance;
                Assert.True(tie && ++nearTies <= 2,
                    $"greedy step {step}: llama.cpp chose {tokens[step]} (logit {expected[tokens[step]]}; Hearth {actual[tokens[step]]}), " +
                    $"Hearth chose {mine} (logit {actual[mine]}; llama.cpp {expected[mine]}); tokens before: {string.Join(' ', tokens[..step])}");
            }
            if (step + 1 == greedySteps) break;
            expected = oracle.Evaluate([tokens[step]]);
            actual = session.Evaluate([tokens[step]]).ToArray();
            worst = MathF.Max(worst, LogitComparison.AssertClose(expected, actual, tolerance, $"after greedy step {step} (token {tokens[step]})"));
        }
        output.WriteLine($"{name}, {prompt.Length}-token prompt: max |logit difference| / range {worst / range:E1} (allowed {allowed:E1}); near-ties {nearTies}; greedy: {string.Join(' ', tokens)}");
    }
}
