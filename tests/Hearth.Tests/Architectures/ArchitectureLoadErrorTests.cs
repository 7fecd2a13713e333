using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Tests.Architectures;

/// <summary>Files that claim a new architecture but lack what it needs fail with a message naming the missing piece.</summary>
public class ArchitectureLoadErrorTests
{
    [Fact]
    public void Deepseek2_without_kv_lora_rank_names_the_key() =>
        AssertLoadFails(w => w.U32("expert_count", 0), "kv_lora_rank");

    [Fact]
    public void Experts_with_too_many_used_name_both_counts() =>
        AssertLoadFails(w =>
        {
            w.U32("attention.kv_lora_rank", 32);
            w.U32("expert_count", 4);
            w.U32("expert_used_count", 5);
            w.U32("expert_feed_forward_length", 32);
        }, "expert_used_count 5");

    [Fact]
    public void Unknown_gating_function_is_named() =>
        AssertLoadFails(w =>
        {
            w.U32("attention.kv_lora_rank", 32);
            w.U32("expert_gating_func", 7);
        }, "expert_gating_func");

    private static void AssertLoadFails(Action<ArchitectureModelWriter> keys, string expected)
    {
        string path = Path.Combine(Path.GetTempPath(), $"hearth-arch-bad-{Guid.NewGuid():N}.gguf");
        try
        {
            var w = new ArchitectureModelWriter("deepseek2", GgmlType.F32, seed: 1);
            w.Header(nEmbd: 32, blocks: 1, nFf: 32, heads: 2, headsKv: 2, vocab: 260);
            keys(w);
            w.Matrix("token_embd.weight", 32, 260);
            w.Vector("blk.0.attn_norm.weight", 32); // block_count 1 matches the blocks present; the keys fail next
            w.WriteTo(path);
            var ex = Assert.ThrowsAny<Exception>(() => Model.Load(path));
            Assert.True(ex is ModelConfigurationException or NotSupportedException, ex.ToString());
            Assert.Contains(expected, ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
