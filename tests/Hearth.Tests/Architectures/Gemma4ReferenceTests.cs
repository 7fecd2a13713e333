using Hearth.Tests.Differential;
using Xunit.Abstractions;

namespace Hearth.Tests.Architectures;

/// <summary>
/// The fast forward pass against the plain reference forward on the gemma4 F32 files, dense (shared-KV layers that
/// read earlier layers' caches, values from the key projection, per-layer input embeddings, per-layer output scales)
/// and mixture-of-experts (experts beside the dense feed-forward, per-expert output scales), over 40 positions: far past
/// the sliding window of 8. Tolerance as in <see cref="ReferenceForwardTests"/>: 4e-3 of the logit range (the fast
/// path's F16 cache, queries and softmax weights against the reference's F32; measured 1.0e-3 dense, 7.5e-4 experts).
/// </summary>
public class Gemma4ReferenceTests(ArchitectureModels models, ITestOutputHelper output) : IClassFixture<ArchitectureModels>
{
    private const int Context = 64;

    [Theory]
    [InlineData("gemma4-dense-F32")]
    [InlineData("gemma4-moe-F32")]
    public void Fast_forward_matches_the_reference_forward(string name)
    {
        using var model = Model.Load(models.PathOf(name), new ModelOptions { Threads = 2 });
        using var session = model.CreateSession(Context);
        var reference = model.CreateReference(Context);
        int vocab = model.Config.VocabSize;
        var tokens = new int[40];
        tokens[0] = 2;
        for (int i = 1; i < tokens.Length; i++) tokens[i] = 3 + (i * 97 + 13) % 290;
        var all = new float[tokens.Length * vocab];
        session.EvaluateAll(tokens, all);
        const float allowed = 4e-3f;
        float worst = 0;
        for (int p = 0; p < tokens.Length; p++)
        {
            float[] expected = reference.Forward(tokens[p], p);
            float range = LogitComparison.Range(expected);
            float diff = LogitComparison.AssertClose(expected, all.AsSpan(p * vocab, vocab).ToArray(), allowed * range, $"position {p}");
            worst = MathF.Max(worst, diff / range);
        }
        output.WriteLine($"{name}: max |fast - reference| / range {worst:E1}");
    }
}
