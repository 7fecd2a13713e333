using Hearth.Tests.Differential;
using Hearth.Tests.Oracle;
using Xunit.Abstractions;

namespace Hearth.Tests.Architectures;

/// <summary>
/// gemma4, dense (E2B/E4B-like: shared KV layers, per-layer input embeddings) and mixture-of-experts (26B-A4B-like),
/// against llama.cpp (LLamaSharp 0.30.0, scalar build, F16 KV cache) on the same random-weight GGUF, F32, Q8_0 and
/// Q4_K: the prompt's tokens from both tokenizers, every logit after a 56-token prompt (prompt-processing GEMM paths,
/// positions far past the sliding window of 8) and after each of 32 greedy steps, and the greedy tokens.
/// </summary>
/// <remarks>
/// Tolerances are those of the other architecture tests (<see cref="LlamaCppDifferentialTests.Tolerance"/>: 2e-3 of the
/// logit range for F32, 2.5e-2 for quantized weights). A different greedy choice is accepted only as a near tie (both
/// engines see the two tokens within the tolerance), at most twice per run, and both then continue with llama.cpp's.
/// </remarks>
public class Gemma4DifferentialTests(ArchitectureModels models, ITestOutputHelper output) : IClassFixture<ArchitectureModels>
{
    private const int GreedySteps = 32;

    private const string PromptText =
        "the quick brown fox jumps over the lazy dog and then it ran to the river to see a big fish swim in the clear water";

    public static TheoryData<string> Cases() => new(Gemma4Cases.All.Keys);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Logits_and_greedy_tokens_match_llama_cpp(string name)
    {
        string path = models.PathOf(name);
        using var oracle = LlamaCppOracle.Load(path, contextSize: 128);
        using var model = Model.Load(path, new ModelOptions { Threads = 2 });
        using var session = model.CreateSession(contextSize: 128);
        Assert.Equal(oracle.VocabSize, model.Config.VocabSize);

        int[] prompt = oracle.Tokenize(PromptText, addSpecial: true, parseSpecial: false);
        Assert.Equal(prompt, model.Tokenizer.Encode(PromptText, addSpecial: true, parseSpecial: false));
        Assert.True(prompt.Length >= 48, $"the prompt has {prompt.Length} tokens; the GEMM paths need at least 48");

        float[] expected = oracle.LastLogits(prompt);
        float[] actual = session.Evaluate(prompt).ToArray();
        float range = LogitComparison.Range(expected);
        float allowed = LlamaCppDifferentialTests.Tolerance(Gemma4Cases.WeightType(name));
        float tolerance = allowed * range;
        float worst = LogitComparison.AssertClose(expected, actual, tolerance, "after the prompt");

        var tokens = new int[GreedySteps];
        int nearTies = 0;
        for (int step = 0; step < GreedySteps; step++)
        {
            tokens[step] = LlamaCppOracle.ArgMax(expected);
            int mine = LlamaCppOracle.ArgMax(actual);
            if (tokens[step] != mine)
            {
                int a = tokens[step];
                bool nearTie = MathF.Abs(expected[a] - expected[mine]) <= tolerance && MathF.Abs(actual[a] - actual[mine]) <= tolerance;
                Assert.True(nearTie && ++nearTies <= 2,
                    $"greedy step {step}: llama.cpp chose {a} (logit {expected[a]}; Hearth {actual[a]}), " +
                    $"Hearth chose {mine} (logit {actual[mine]}; llama.cpp {expected[mine]}); tokens before: {string.Join(' ', tokens[..step])}");
                output.WriteLine($"step {step}: near tie between {a} and {mine}");
            }
            if (step + 1 == GreedySteps) break;
            expected = oracle.Evaluate([tokens[step]]);
            actual = session.Evaluate([tokens[step]]).ToArray();
            worst = MathF.Max(worst, LogitComparison.AssertClose(expected, actual, tolerance, $"after greedy step {step} (token {tokens[step]})"));
        }
        output.WriteLine($"{name}: {prompt.Length} prompt tokens; max |logit difference| / range {worst / range:E1} (allowed {allowed:E1}); " +
                         $"greedy: {string.Join(' ', tokens)}");
    }
}
