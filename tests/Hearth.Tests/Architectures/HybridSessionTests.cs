using Hearth.Tests.Differential;
using Xunit.Abstractions;

namespace Hearth.Tests.Architectures;

/// <summary>
/// The per-sequence recurrent state of hybrid models as the rest of the engine sees it: the fast forward against the
/// plain reference, batches of several sequences, SaveState/LoadState, rewinding, checkpoint prefix reuse for the
/// next chat turn, memory figures and no allocation per decoded token.
/// </summary>
public class HybridSessionTests(ArchitectureModels models, ITestOutputHelper output) : IClassFixture<ArchitectureModels>
{
    private const int Context = 128;

    private static readonly int[] Prompt = HybridDifferentialTests.BuildPrompt(40);

    // F32 weights only: with Q8_0 weights the fast path (like llama.cpp) also rounds every projection's input to Q8_0,
    // which these small random models amplify beyond a useful bound against an all-F32 reference within a few
    // positions; the Q8_0 and Q4_K files are checked against llama.cpp instead (HybridDifferentialTests).
    public static TheoryData<string> Cases() => new("lfm2-F32", "lfm2moe-F32", "qwen35-F32", "qwen35moe-F32", "qwen3next-F32", "granitehybrid-F32", "granitehybrid-moe-F32");

    private Model Load(string name) => Model.Load(models.PathOf(name), new ModelOptions { Threads = 2, BatchSize = 16 });

    /// <summary>
    /// A fraction of the logit range, as <see cref="ReferenceForwardTests"/>: the fast path rounds the attention cache,
    /// queries and weights to F16; the reference keeps everything in F32 (measured ≤ 6e-5).
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Fast_forward_matches_the_reference_forward(string name)
    {
        using var model = Load(name);
        using var session = model.CreateSession(Context);
        var reference = model.CreateReference(Context);
        int vocab = model.Config.VocabSize;
        var all = new float[Prompt.Length * vocab];
        session.EvaluateAll(Prompt, all); // three batches of 16: the state carries across them
        float allowed = 4e-3f, worst = 0;
        for (int p = 0; p < Prompt.Length; p++)
        {
            float[] expected = reference.Forward(Prompt[p], p);
            float range = LogitComparison.Range(expected);
            float diff = LogitComparison.AssertClose(expected, all.AsSpan(p * vocab, vocab).ToArray(), allowed * range, $"position {p}");
            worst = MathF.Max(worst, diff / range);
        }
        output.WriteLine($"{name}: max |fast - reference| / range {worst:E1} (allowed {allowed:E1})");
    }

    [Theory]
    [InlineData("lfm2-F32")]
    [InlineData("qwen35-F32")]
    [InlineData("granitehybrid-F32")]
    public void Three_sequences_in_one_batch_match_each_alone(string name)
    {
        using var model = Load(name);
        int[][] prompts = [Prompt[..20], Prompt[5..37], Prompt[11..14]];
        var alone = new Inference.InferenceSession[3];
        var batched = new Inference.InferenceSession[3];
        for (int i = 0; i < 3; i++)
        {
            alone[i] = model.CreateSession(Context);
            alone[i].Evaluate(prompts[i]);
            batched[i] = model.CreateSession(Context);
            batched[i].Evaluate(prompts[i]);
        }
        var tokens = new int[3];
        for (int step = 0; step < 6; step++)
        {
            for (int i = 0; i < 3; i++) tokens[i] = 10 + 40 * i + step;
            Inference.InferenceSession.DecodeBatch(batched, tokens);
            for (int i = 0; i < 3; i++)
            {
                float[] expected = alone[i].Evaluate([tokens[i]]).ToArray();
                LogitComparison.AssertClose(expected, batched[i].Logits.ToArray(), 1e-4f * LogitComparison.Range(expected), $"sequence {i}, step {step}");
            }
        }
        for (int i = 0; i < 3; i++)
        {
            alone[i].Dispose();
            batched[i].Dispose();
        }
    }

    [Theory]
    [InlineData("lfm2-Q8_0")]
    [InlineData("qwen35moe-F32")]
    [InlineData("granitehybrid-Q8_0")]
    public void SaveState_then_LoadState_continues_with_identical_logits(string name)
    {
        using var model = Load(name);
        using var first = model.CreateSession(Context);
        first.Evaluate(Prompt);
        using var saved = new MemoryStream();
        first.SaveState(saved);
        using var second = model.CreateSession(Context);
        second.Evaluate(Prompt.AsSpan(0, 7)); // something to overwrite
        saved.Position = 0;
        second.LoadState(saved);
        Assert.Equal(first.Logits.ToArray(), second.Logits.ToArray());
        for (int step = 0; step < 4; step++)
        {
            int token = 50 + step;
            Assert.Equal(first.Evaluate([token]).ToArray(), second.Evaluate([token]).ToArray());
        }
    }

    [Theory]
    [InlineData("lfm2-F32")]
    [InlineData("qwen35-F32")]
    [InlineData("granitehybrid-F32")]
    public void Rewinding_restores_a_checkpoint_and_replays_to_the_same_logits(string name)
    {
        using var model = Load(name);
        using var session = model.CreateSession(Context);
        session.Evaluate(Prompt.AsSpan(0, 30));
        for (int i = 0; i < 5; i++) session.Evaluate([100 + i]);
        session.Rewind(23); // inside the prompt: the checkpoint at 16 (after its first batch), then 7 tokens again
        Assert.Equal(23, session.Position);
        float[] rewound = session.Evaluate([200]).ToArray();
        using var cold = model.CreateSession(Context);
        cold.Evaluate(Prompt.AsSpan(0, 23));
        float[] expected = cold.Evaluate([200]).ToArray();
        LogitComparison.AssertClose(expected, rewound, 1e-4f * LogitComparison.Range(expected), "after rewinding to 23");
    }

    [Theory]
    [InlineData("lfm2-F32")]
    [InlineData("qwen35-F32")]
    [InlineData("granitehybrid-moe-F32")]
    public void Next_chat_turn_reuses_a_checkpoint_and_matches_a_cold_run(string name)
    {
        using var model = Load(name);
        int[] turn1 = Prompt[..27];
        using var session = model.CreateSession(Context);
        var g = session.CreateGeneratorReusingPrefix(turn1, new GenerationOptions { MaxTokens = 5, Sampling = new() { Temperature = 0 } });
        while (g.MoveNext()) { }
        int[] answer = session.Tokens[turn1.Length..].ToArray();
        Assert.NotEmpty(answer);

        // Turn 2 continues everything the session holds: only the new tokens are evaluated.
        int[] turn2 = [.. session.Tokens, 77, 78, 79];
        int held = session.Position;
        Assert.Equal(held, session.RewindToCommonPrefix(turn2));
        float[] continued = session.Evaluate(turn2.AsSpan(held)).ToArray();
        using var cold = model.CreateSession(Context);
        float[] expected = cold.Evaluate(turn2).ToArray();
        LogitComparison.AssertClose(expected, continued, 1e-4f * LogitComparison.Range(expected), "turn 2 continuing the session");

        // Turn 3 re-renders the history differently after the first prompt (as templates that drop the thinking do):
        // the session resumes from its checkpoint at the end of turn 1's prompt, not from the start.
        int[] turn3 = [.. turn1, 90, 91, 92, 93];
        int kept = session.RewindToCommonPrefix(turn3);
        Assert.Equal(turn1.Length, kept);
        float[] resumed = session.Evaluate(turn3.AsSpan(kept)).ToArray();
        using var cold3 = model.CreateSession(Context);
        expected = cold3.Evaluate(turn3).ToArray();
        LogitComparison.AssertClose(expected, resumed, 1e-4f * LogitComparison.Range(expected), "turn 3 resumed from a checkpoint");
        output.WriteLine($"{name}: turn 2 evaluated {turn2.Length - held} of {turn2.Length} tokens, turn 3 {turn3.Length - kept} of {turn3.Length}");
    }

    [Fact]
    public void Without_checkpoints_a_diverging_prompt_restarts_from_the_beginning()
    {
        using var model = Model.Load(models.PathOf("lfm2-F32"), new ModelOptions { Threads = 2, RecurrentCheckpoints = 0 });
        using var session = model.CreateSession(Context);
        session.Evaluate(Prompt.AsSpan(0, 20));
        session.Evaluate([5]);
        Assert.Equal(0, session.RewindToCommonPrefix([.. Prompt[..20], 6]));
        Assert.Equal(0, session.Position);
    }

    [Fact]
    public void Checkpoints_are_bounded_keep_the_newest_and_are_dropped_past_a_rewind()
    {
        using var model = Load("lfm2-F32");
        var checkpoints = new Inference.RecurrentCheckpoints(model.Config, capacity: 3);
        var state = new Inference.RecurrentState(model.Config);
        foreach (int p in new[] { 4, 8, 12, 16 })
        {
            state.Position = p;
            state.Conv(0)[0] = p;
            checkpoints.Save(state);
        }
        Assert.Equal(3, checkpoints.Count);
        Assert.Null(checkpoints.Best(7)); // position 4, the oldest, was replaced
        Assert.Equal(12, checkpoints.Best(15)!.Position);
        Assert.Equal(12f, checkpoints.Best(15)!.Conv(0)[0]);
        checkpoints.DropAfter(9);
        Assert.Equal(1, checkpoints.Count);
        Assert.Equal(8, checkpoints.Best(100)!.Position);
        Assert.Equal(3 * state.ByteSize, checkpoints.ByteSize); // the slots stay allocated for reuse
        state.Position = 20;
        checkpoints.Save(state); // into a freed slot: 8 survives
        Assert.Equal(8, checkpoints.Best(19)!.Position);
    }

    [Fact]
    public void A_qwen35_file_missing_its_metadata_and_tensors_is_refused_with_a_typed_error_naming_a_key()
    {
        string path = Path.Combine(Path.GetTempPath(), $"hearth-qwen35-bad-{Environment.ProcessId}.gguf");
        var w = new ArchitectureModelWriter("qwen35", global::Hearth.Numerics.GgmlType.F32, seed: 1);
        w.Header(64, 4, 128, 4, 2, 301);
        w.Matrix("token_embd.weight", 64, 301);
        w.WriteTo(path);
        try
        {
            var e = Assert.Throws<global::Hearth.Gguf.ModelConfigurationException>(() => Model.Load(path));
            // The first check to fail names its key (block_count against the missing blocks, or the ssm.* keys).
            Assert.Contains("'qwen35.", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Memory_figures_count_the_recurrent_state_and_only_attention_layers_in_the_kv_cache()
    {
        using var model = Load("qwen35-F32");
        using var session = model.CreateSession(Context);
        // Three Gated DeltaNet layers: a 3 × 128-channel window and 4 heads of 16 × 16 each, F32.
        Assert.Equal(3 * 4L * (3 * 128 + 4 * 16 * 16), session.RecurrentStateBytes);
        // One attention layer of 2 kv heads × 16 (keys and values), F16.
        Assert.Equal(2L * Context * (32 + 32), session.KvCacheBytes);
        session.Evaluate(Prompt.AsSpan(0, 20));
        // Plus two checkpoints: after the first batch of 16 and at the prompt's end.
        Assert.Equal(3 * 3 * 4L * (3 * 128 + 4 * 16 * 16), session.RecurrentStateBytes);
    }

    [Fact]
    public void Hearth_info_reports_the_recurrent_state_and_the_kv_cache_per_token()
    {
        var r = Cli.CliRunner.Run("info", "-m", models.PathOf("qwen35-F32"), "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        var j = System.Text.Json.JsonDocument.Parse(r.StdOut).RootElement;
        Assert.Equal(3 * 4L * (3 * 128 + 4 * 16 * 16), j.GetProperty("recurrent_state_bytes").GetInt64());
        Assert.Equal(2L * (32 + 32), j.GetProperty("kv_cache_bytes_per_token").GetInt64());
    }

    [Theory]
    [InlineData("lfm2-Q8_0")]
    [InlineData("qwen35moe-F32")]
    [InlineData("granitehybrid-Q8_0")]
    public void Decoding_a_token_allocates_nothing_after_warm_up(string name)
    {
        using var model = Load(name);
        using var session = model.CreateSession(Context);
        using var other = model.CreateSession(Context);
        session.Evaluate(Prompt.AsSpan(0, 10));
        other.Evaluate(Prompt.AsSpan(0, 12));
        Inference.InferenceSession[] both = [session, other];
        int[] pair = [0, 0];
        for (int i = 0; i < 8; i++)
        {
            session.Evaluate([100 + i]);
            pair[0] = 20 + i;
            pair[1] = 30 + i;
            Inference.InferenceSession.DecodeBatch(both, pair);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 16; i++)
        {
            session.Evaluate([200 + i]);
            pair[0] = 40 + i;
            pair[1] = 60 + i;
            Inference.InferenceSession.DecodeBatch(both, pair);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"16 decoded tokens (and 16 batches of two) allocated {allocated} bytes");
    }
}
