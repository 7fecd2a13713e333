using System.Numerics.Tensors;
using Hearth.AI;
using Hearth.Numerics;
using Hearth.Tests.Api;
using Hearth.Tests.Encoders;
using Microsoft.Extensions.AI;

namespace Hearth.Tests.AI;

public class HearthEmbeddingGeneratorTests
{
    [Fact]
    public async Task Generates_one_unit_vector_per_input_with_usage()
    {
        using var model = Stories.Load();
        using var generator = new HearthEmbeddingGenerator(model);
        var result = await generator.GenerateAsync(["Once upon a time", "Lily saw a dog"]);
        Assert.Equal(2, result.Count);
        Assert.All(result, e => Assert.Equal(1.0, TensorPrimitives.Norm(e.Vector.Span), 4));
        // Both texts ran in one pass; alone, the same vector up to the summation order of a different batch.
        var alone = model.Embed("Lily saw a dog");
        for (int j = 0; j < alone.Length; j++) Assert.True(Math.Abs(alone[j] - result[1].Vector.Span[j]) < 1e-5);
        int tokens = model.Tokenizer.Encode("Once upon a time").Length + model.Tokenizer.Encode("Lily saw a dog").Length;
        Assert.Equal(tokens, result.Usage!.InputTokenCount);
        Assert.Equal(64, generator.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelDimensions);
    }

    [Fact]
    public async Task Uses_an_encoders_own_pooling_and_refuses_a_reranker()
    {
        using var model = Model.Load(EncoderModels.Get("bert", GgmlType.F32, PoolingType.Cls));
        using var generator = new HearthEmbeddingGenerator(model);
        var result = await generator.GenerateAsync(["hello world", "a"]);
        var expected = model.Embed(["hello world", "a"]);
        Assert.Equal(expected[0], result[0].Vector.ToArray());
        Assert.Equal(expected[1], result[1].Vector.ToArray());
        using var ranker = Model.Load(EncoderModels.Get("bert", GgmlType.F32, PoolingType.Rank, rankHead: true));
        using var rankGenerator = new HearthEmbeddingGenerator(ranker);
        await Assert.ThrowsAsync<NotSupportedException>(() => rankGenerator.GenerateAsync(["x"]));
    }

    [Fact]
    public async Task Other_dimensions_are_rejected()
    {
        using var model = Stories.Load();
        using var generator = new HearthEmbeddingGenerator(model);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 32 }));
        Assert.Contains("64", e.Message);
    }
}
