using Hearth.Inference;
using Hearth.Sampling;

namespace Hearth.Tests.Api;

/// <summary>
/// The engine allocates nothing per token in the steady state. Asserted on the synchronous core
/// (<see cref="TokenGenerator.MoveNext"/>): the IAsyncEnumerable wrapper adds a string per token (GeneratedToken.Text)
/// and a thread-pool work item per step, by design.
/// </summary>
public class AllocationTests
{
    [Theory]
    [InlineData(0f)]
    [InlineData(0.8f)]
    public void Generating_tokens_allocates_nothing_after_warm_up(float temperature)
    {
        using var model = Stories.Load(threads: 1);
        using var session = model.CreateSession(512);
        var options = new GenerationOptions { MaxTokens = 400, Sampling = new SamplerOptions { Temperature = temperature, Seed = 42 } };
        var g = session.CreateGenerator("Once upon a time", options);
        for (int i = 0; i < 50; i++) Assert.True(g.MoveNext());

        long before = GC.GetAllocatedBytesForCurrentThread();
        int chars = 0, steps = 0;
        for (int i = 0; i < 200; i++)
        {
            if (!g.MoveNext()) break; // no assertion inside the loop: a message string would allocate
            steps++;
            chars += g.CurrentText.Length;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(200, steps);
        Assert.True(chars > 0);
        Assert.Equal(0, allocated);
    }
}
