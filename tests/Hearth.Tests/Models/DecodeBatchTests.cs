using Hearth.Inference;

namespace Hearth.Tests.Models;

public class DecodeBatchTests
{
    [Fact]
    public void Decoding_several_sessions_in_one_pass_equals_decoding_each_alone()
    {
        using var model = Model.Load(TestData.PathOf("gguf/stories260K.gguf"), new ModelOptions { Threads = 2 });
        int[][] prompts = [[1, 403, 407, 261], [1, 500], [1, 3, 4, 5, 6, 7, 8]];
        int[] next = [432, 17, 300];
        var alone = new float[prompts.Length][];
        for (int i = 0; i < prompts.Length; i++)
        {
            using var s = model.CreateSession(64);
            s.Evaluate(prompts[i]);
            alone[i] = s.Evaluate([next[i]]).ToArray();
        }

        var sessions = prompts.Select(_ => model.CreateSession(64)).ToArray();
        for (int i = 0; i < prompts.Length; i++) sessions[i].Evaluate(prompts[i]);
        InferenceSession.DecodeBatch(sessions, next);
        for (int i = 0; i < prompts.Length; i++)
        {
            Assert.Equal(prompts[i].Length + 1, sessions[i].Position);
            // Each (row, token) dot product is computed identically whatever else is in the batch: bit-identical logits.
            Assert.Equal(alone[i], sessions[i].Logits.ToArray());
        }
    }

    [Fact]
    public void Prompt_longer_than_the_context_is_a_clear_error_and_the_session_stays_usable()
    {
        using var model = Model.Load(TestData.PathOf("gguf/stories260K.gguf"), new ModelOptions { Threads = 1 });
        using var session = model.CreateSession(8);
        var ex = Assert.Throws<ContextOverflowException>(() => session.Evaluate(new int[9]));
        Assert.Contains("9 tokens", ex.Message);
        Assert.Contains("holds 8", ex.Message);
        Assert.Equal(0, session.Position);
        session.Evaluate([1, 403]);
        Assert.Equal(2, session.Position);
    }

    [Fact]
    public void Token_id_outside_the_vocabulary_is_rejected()
    {
        using var model = Model.Load(TestData.PathOf("gguf/stories260K.gguf"), new ModelOptions { Threads = 1 });
        using var session = model.CreateSession(8);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => session.Evaluate([1, 512]));
        Assert.Contains("outside the vocabulary", ex.Message);
    }
}
