using System.Numerics.Tensors;
using Hearth.AI;
using Hearth.Tests.Api;
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
        Assert.Equal(model.Embed("Lily saw a dog"), result[1].Vector.ToArray());
        int tokens = model.Tokenizer.Encode("Once upon a time").Length + model.Tokenizer.Encode("Lily saw a dog").Length;
        Assert.Equal(tokens, result.Usage!.InputTokenCount);
        Assert.Equal(64, generator.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelDimensions);
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
