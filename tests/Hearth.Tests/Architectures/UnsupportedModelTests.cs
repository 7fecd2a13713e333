using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Tests.Architectures;

/// <summary>A file Hearth cannot run says what it is and what Hearth runs instead.</summary>
public class UnsupportedModelTests
{
    [Fact]
    public void Unsupported_architecture_is_named_with_the_supported_list()
    {
        var w = new GgufWriter();
        w.SetMetadata("general.architecture", GgufValue.String("rwkv7"));
        w.AddTensor("token_embd.weight", GgmlType.F32, [8, 4], new byte[32 * 4]);
        var ex = Assert.Throws<NotSupportedException>(() => LoadFrom(w));
        Assert.Contains("'rwkv7' is not supported", ex.Message);
        foreach (string supported in new[] { "llama", "qwen3", "qwen3moe", "deepseek2", "smollm3", "mistral3" })
            Assert.Contains(supported, ex.Message.Split(':')[^1]);
    }

    [Fact]
    public void Unsupported_tensor_type_is_named_with_the_supported_list()
    {
        var w = new ArchitectureModelWriter("smollm3", GgmlType.F32, seed: 3);
        w.Header(nEmbd: 256, blocks: 1, nFf: 256, heads: 2, headsKv: 2, vocab: 260);
        // F64 (a ggml type no model weights use) as the token embedding; the rest a valid one-block model.
        w.RawTensor("token_embd.weight", GgmlType.F64, [256, 260], new byte[8 * 256 * 260]);
        w.Vector("output_norm.weight", 256);
        w.Vector("blk.0.attn_norm.weight", 256);
        foreach (string m in new[] { "attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down" }) w.Matrix($"blk.0.{m}.weight", 256, 256);
        w.Vector("blk.0.ffn_norm.weight", 256);
        string path = Path.Combine(Path.GetTempPath(), $"hearth-unsupported-{Guid.NewGuid():N}.gguf");
        try
        {
            w.WriteTo(path);
            var ex = Assert.Throws<NotSupportedException>(() => Model.Load(path).Dispose());
            Assert.Contains("'token_embd.weight' has type F64", ex.Message);
            Assert.Contains("Q4_K", ex.Message);
            Assert.Contains("Q8_0", ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Mistral3_biases_are_refused_by_name()
    {
        var w = new ArchitectureModelWriter("mistral3", GgmlType.F32, seed: 4);
        w.Header(nEmbd: 64, blocks: 1, nFf: 64, heads: 2, headsKv: 2, vocab: 260);
        w.Matrix("token_embd.weight", 64, 260);
        w.Vector("blk.0.attn_output.bias", 64);
        string path = Path.Combine(Path.GetTempPath(), $"hearth-unsupported-{Guid.NewGuid():N}.gguf");
        try
        {
            w.WriteTo(path);
            var ex = Assert.Throws<NotSupportedException>(() => Model.Load(path).Dispose());
            Assert.Contains("'attn_output.bias'", ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void LoadFrom(GgufWriter w)
    {
        string path = Path.Combine(Path.GetTempPath(), $"hearth-unsupported-{Guid.NewGuid():N}.gguf");
        try
        {
            w.WriteTo(path);
            Model.Load(path).Dispose();
        }
        finally
        {
            File.Delete(path);
        }
    }
}
