using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Hearth.Tests.Api;

public class EmbeddingTests
{
    [Fact]
    public void Embedding_is_unit_length_and_deterministic()
    {
        using var model = Stories.Load();
        var a = model.Embed("Once upon a time");
        Assert.Equal(64, a.Length);
        Assert.Equal(1.0, TensorPrimitives.Norm(a), 4);
        Assert.Equal(a, model.Embed("Once upon a time"));
    }

    [Fact]
    public void Embedding_is_the_mean_of_the_vectors_the_output_head_reads()
    {
        // Identity: logits at position t = W_out · n_t, where n_t is the final normed hidden state. Mean pooling gives
        // e ∝ Σ n_t, so W_out · e must be proportional to the sum of every position's logits (from llama.cpp-checked
        // EvaluateAll), with W_out read straight from the file (F32, // [n_vocab, n_embd]).
        using var model = Stories.Load();
        int[] tokens = model.Tokenizer.Encode("Lily saw a big dog");
        var e = new float[64];
        model.Embed(tokens, e);

        using var session = model.CreateSession(64);
        var logits = new float[tokens.Length * 512];
        session.EvaluateAll(tokens, logits);
        var sum = new float[512];
        for (int t = 0; t < tokens.Length; t++) TensorPrimitives.Add(sum, logits.AsSpan(t * 512, 512), sum);

        var info = model.File.FindTensor("output.weight")!;
        var w = MemoryMarshal.Cast<byte, float>(model.File.GetTensorData(info));
        var projected = new float[512];
        for (int v = 0; v < 512; v++) projected[v] = TensorPrimitives.Dot(w.Slice(v * 64, 64), e);

        float scale = TensorPrimitives.Dot(projected, sum) / TensorPrimitives.Dot(projected, projected);
        Assert.True(scale > 0);
        float worst = 0;
        for (int v = 0; v < 512; v++) worst = Math.Max(worst, Math.Abs(projected[v] * scale - sum[v]));
        Assert.True(worst < 1e-3f * Math.Abs(TensorPrimitives.MaxMagnitude(sum)), $"largest residual {worst}");
    }

    [Fact]
    public void Empty_destination_is_rejected()
    {
        using var model = Stories.Load();
        Assert.Contains("64", Assert.Throws<ArgumentException>(() => model.Embed([1, 2], new float[3])).Message);
        Assert.Contains("No tokens", Assert.Throws<ArgumentException>(() => model.Embed(ReadOnlySpan<int>.Empty, new float[64])).Message);
    }
}
