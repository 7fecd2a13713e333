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
        w.SetMetadata("general.architecture", GgufValue.String("qwen35moe"));
        w.AddTensor("token_embd.weight", GgmlType.F32, [8, 4], new byte[32 * 4]);
        var ex = Assert.Throws<NotSupportedException>(() => LoadFrom(w));
        Assert.Contains("'qwen35moe' is not supported", ex.Message);
        foreach (string supported in new[] { "llama", "qwen3", "qwen3moe", "deepseek2", "smollm3", "mistral3" })
            Assert.Contains(supported, ex.Message.Split(':')[^1]);
    }

    [Fact]
    public void Unsupported_tensor_type_is_named_with_the_supported_list()
    {
        var w = new ArchitectureModelWriter("smollm3", GgmlType.F32, seed: 3);
        w.Header(nEmbd: 256, blocks: 1, nFf: 256, heads: 2, headsKv: 2, vocab: 260);
        // TQ2_0 (ternary, 66 bytes per 256 values) as the token embedding.
        w.RawTensor("token_embd.weight", GgmlType.TQ2_0, [256, 260], new byte[66 * 260]);
        string path = Path.Combine(Path.GetTempPath(), $"hearth-unsupported-{Guid.NewGuid():N}.gguf");
        try
        {
            w.WriteTo(path);
            var ex = Assert.Throws<NotSupportedException>(() => Model.Load(path).Dispose());
            Assert.Contains("'token_embd.weight' has type TQ2_0", ex.Message);
            Assert.Contains("Q4_K", ex.Message);
            Assert.Contains("Q8_0", ex.Message);
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
