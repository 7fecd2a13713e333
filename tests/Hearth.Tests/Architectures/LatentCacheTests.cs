namespace Hearth.Tests.Architectures;

/// <summary>The latent-attention KV cache holds only the compressed latent and the rope key per token and layer.</summary>
public class LatentCacheTests(ArchitectureModels models) : IClassFixture<ArchitectureModels>
{
    [Theory]
    [InlineData("deepseek2-lite-F32")]
    [InlineData("deepseek2-lite-kvb-F32")]
    public void Cache_holds_latent_and_rope_key_only(string name)
    {
        using var model = Model.Load(models.PathOf(name), new ModelOptions { Threads = 1 });
        using var session = model.CreateSession(contextSize: 32);
        // The files state kv_lora_rank 64 and rope.dimension_count 16 in 3 blocks: F16 × 3 × (64 + 16) = 480 bytes per
        // token, against 3 × 4 heads × (48 + 32) × 2 = 1920 for decompressed keys and values.
        Assert.Equal(480L * 32, session.KvCacheBytes);
    }
}
