namespace Hearth.Tests.Oracle;

/// <summary>
/// Proves the oracle: LLamaSharp 0.30.0's llama.cpp reproduces the runs recorded with llama.cpp c392e50.
/// </summary>
/// <remarks>
/// Prompt logits: 1e-3 absolute on logits whose range is about 28 (4e-5 of the scale). The recordings print 7
/// significant digits (rounding up to 1e-6 here); the rest is a newer llama.cpp and another SIMD width summing in
/// another order. Measured max differences with the scalar build the oracle pins: F32 6.3e-5, F16 5.7e-6, Q4_K_M 2.9e-6
/// (AVX-512 build: all under 7e-6; AVX2 build: F32 2.5e-4 but Q4_K_M 0.1, one reason the scalar build is pinned).
/// Top-k lists are printed with 6 digits, so 1e-4 is added there.
/// Decode steps (one token against a growing F16 KV cache): 3e-2, see <see cref="Single_token_decode_steps_match_recorded_logits"/>.
/// </remarks>
public class LlamaCppOracleTests
{
    private const float LogitTolerance = 1e-3f;

    public static TheoryData<string> Recordings() => new(ExpectedRun.AllFileNames());

    [Theory]
    [MemberData(nameof(Recordings))]
    public void Reproduces_recorded_llama_cpp_run(string fileName)
    {
        var run = ExpectedRun.Load(fileName);
        using var oracle = LlamaCppOracle.Load(run.ModelPath, contextSize: 128);
        Assert.Equal(run.VocabSize, oracle.VocabSize);

        Assert.Equal(run.PromptTokens, oracle.Tokenize(run.Prompt, run.AddSpecial, run.ParseSpecial));

        // Every prompt position: its recorded top-10 (ids in order, values within tolerance).
        float[][] all = oracle.EvaluateAll(run.PromptTokens);
        Assert.Equal(run.PromptTokens.Length, all.Length);
        for (int p = 0; p < all.Length; p++) AssertTopK(run.PromptLogitsTopK[p], all[p], LogitTolerance, $"prompt position {p}");

        AssertClose(run.LastPromptLogits, all[^1], LogitTolerance, "last prompt position (batch of all outputs)");
        AssertClose(run.LastPromptLogits, oracle.LastLogits(run.PromptTokens), LogitTolerance, "last prompt position");

        int[] greedy = oracle.Greedy(run.PromptTokens, run.GreedyTokens.Length);
        Assert.Equal(run.GreedyTokens, greedy);
    }

    /// <summary>
    /// Greedy() only checks the argmax; this checks the logit values of all 64 one-token decode steps of the F32 model.
    /// </summary>
    /// <remarks>
    /// Tolerance 3e-2 (measured 1.0e-2 with the scalar build, 5.4e-4 with the AVX-512 one the recording was made on).
    /// With the default F16 KV cache, ggml's scalar path also rounds the query and the softmax probabilities to F16
    /// before multiplying them with K and V, where the AVX-512 build keeps them in F32; over 60 cached positions of
    /// this sharply trained model that moves logits by 1e-2 (on stories260K-Q4_K_M by up to 0.14, so that file is
    /// not checked here). An F32 KV cache gives the same numbers in every build, 1.6e-2 away from the recording.
    /// </remarks>
    [Fact]
    public void Single_token_decode_steps_match_recorded_logits()
    {
        const float decodeTolerance = 3e-2f;
        var run = ExpectedRun.Load("stories260K.once-upon-a-time.json");
        using var oracle = LlamaCppOracle.Load(run.ModelPath, contextSize: 128);
        float[] logits = oracle.LastLogits(run.PromptTokens);
        for (int step = 0; step < run.GreedyTokens.Length; step++)
        {
            AssertTopK(run.GreedyStepTopK[step], logits, decodeTolerance, $"greedy step {step}");
            if (step + 1 < run.GreedyTokens.Length) logits = oracle.Evaluate([run.GreedyTokens[step]]);
        }
    }

    [Fact]
    public void Missing_model_file_is_named()
    {
        var e = Assert.Throws<FileNotFoundException>(() => LlamaCppOracle.Load("/nonexistent/model.gguf"));
        Assert.Contains("/nonexistent/model.gguf", e.Message);
    }

    [Fact]
    public void Context_overflow_and_bad_token_ids_are_rejected_with_a_reason()
    {
        using var oracle = LlamaCppOracle.Load(TestData.PathOf("gguf/stories260K.gguf"), contextSize: 8);
        var overflow = Assert.Throws<InvalidOperationException>(() => oracle.Evaluate(new int[9]));
        Assert.Contains("context of 8", overflow.Message);
        var bad = Assert.Throws<ArgumentOutOfRangeException>(() => oracle.Evaluate([512]));
        Assert.Contains("512", bad.Message);
    }

    internal static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance, string where)
    {
        Assert.Equal(expected.Length, actual.Length);
        int worst = 0;
        float worstDiff = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            float d = MathF.Abs(expected[i] - actual[i]);
            if (!(d <= worstDiff)) { worst = i; worstDiff = d; } // NaN counts as worst
        }
        Assert.True(worstDiff <= tolerance,
            $"{where}: logit {worst} is {actual[worst]}, expected {expected[worst]} (|diff| {worstDiff:E2} > {tolerance:E0})");
    }

    private static void AssertTopK((int Token, float Logit)[] expected, float[] logits, float tolerance, string where)
    {
        float topKTolerance = tolerance + 1e-4f; // 6 printed digits
        for (int k = 0; k < expected.Length; k++)
        {
            var (token, value) = expected[k];
            Assert.True(MathF.Abs(logits[token] - value) <= topKTolerance,
                $"{where}: logit of token {token} is {logits[token]}, recorded {value}");
        }
        // The recorded order holds where neighbours are further apart than the tolerance.
        for (int k = 1; k < expected.Length; k++)
            if (expected[k - 1].Logit - expected[k].Logit > 2 * topKTolerance)
                Assert.True(logits[expected[k - 1].Token] > logits[expected[k].Token], $"{where}: top-k order at rank {k}");
        Assert.Equal(expected[0].Token, LlamaCppOracle.ArgMax(logits));
    }
}
