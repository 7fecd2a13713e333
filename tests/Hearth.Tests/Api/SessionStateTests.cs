using Hearth.Inference;
using Hearth.Sampling;

namespace Hearth.Tests.Api;

public class SessionStateTests
{
    private static readonly GenerationOptions Greedy = new() { MaxTokens = 16, Sampling = SamplerOptions.Greedy };

    [Fact]
    public void Restored_state_continues_exactly_as_llama_cpp()
    {
        var (prompt, expected, _) = Stories.OnceUponATime();
        using var model = Stories.Load();
        var stream = new MemoryStream();
        using (var first = model.CreateSession(256))
        {
            first.Evaluate(prompt);
            first.SaveState(stream);
        }
        stream.Position = 0;
        using var restored = model.CreateSession(256);
        restored.LoadState(stream);
        Assert.Equal(prompt, restored.Tokens.ToArray());

        // Continue without evaluating anything: the saved logits give the first token, the saved cache the rest.
        int[] ids = new int[16];
        ids[0] = ArgMax(restored.Logits);
        for (int i = 1; i < ids.Length; i++) ids[i] = ArgMax(restored.Evaluate([ids[i - 1]]));
        Assert.Equal(expected[..16], ids);

        // A generator after the restored state also matches (its prompt is the first generated token).
        var g = restored.CreateGeneratorReusingPrefix([.. prompt, .. expected[..16]], Greedy with { MaxTokens = 4 });
        var more = new List<int>();
        while (g.MoveNext()) more.Add(g.Current);
        Assert.Equal(expected[16..20], more);
    }

    [Fact]
    public void Not_a_state_stream_is_rejected()
    {
        using var model = Stories.Load();
        using var session = model.CreateSession(64);
        var e = Assert.Throws<InvalidDataException>(() => session.LoadState(new MemoryStream("not a state at all"u8.ToArray())));
        Assert.Contains("SaveState", e.Message);
    }

    [Fact]
    public void State_larger_than_the_context_is_rejected()
    {
        using var model = Stories.Load();
        var stream = new MemoryStream();
        using (var big = model.CreateSession(128))
        {
            big.Evaluate(new int[100]);
            big.SaveState(stream);
        }
        stream.Position = 0;
        using var small = model.CreateSession(64);
        var e = Assert.Throws<ContextOverflowException>(() => small.LoadState(stream));
        Assert.Contains("100", e.Message);
    }

    [Fact]
    public void State_of_another_model_is_rejected()
    {
        using var model = Stories.Load();
        var stream = new MemoryStream();
        using (var s = model.CreateSession(64))
        {
            s.Evaluate([1, 2, 3]);
            s.SaveState(stream);
        }
        // Corrupt the fingerprint: the architecture name written after the magic.
        var bytes = stream.ToArray();
        bytes[9] = (byte)'x';
        using var other = model.CreateSession(64);
        var e = Assert.Throws<InvalidDataException>(() => other.LoadState(new MemoryStream(bytes)));
        Assert.Contains("different model", e.Message);
    }

    /// <summary>The most likely token (ties to the lowest id), as greedy sampling picks.</summary>
    private static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best]) best = i;
        }
        return best;
    }
}
