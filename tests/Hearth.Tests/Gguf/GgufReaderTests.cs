using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Tests.Gguf;

public class GgufReaderTests
{
    [Fact]
    public void Reads_stories260K_header()
    {
        using var f = GgufFile.Open(TestData.PathOf("gguf/stories260K.gguf"));
        Assert.Equal(3u, f.Version);
        Assert.Equal("llama", f.GetString("general.architecture"));
        Assert.Equal(48, f.Tensors.Count);
        Assert.Equal(512, f.GetArray<string>("tokenizer.ggml.tokens")!.Length);
        var emb = f.FindTensor("token_embd.weight")!;
        Assert.Equal(GgmlType.F32, emb.Type);
        Assert.Equal(new long[] { 64, 512 }, emb.Dimensions);
        Assert.Equal(64 * 512 * 4, f.GetTensorData(emb).Length);
    }

    [Fact]
    public void Reads_every_tensor_type_in_the_quant_vectors_file()
    {
        using var f = GgufFile.Open(TestData.PathOf("gguf/ggml-quant-vectors.gguf"));
        Assert.Contains(f.Tensors, t => t.Type == GgmlType.Q6_K);
        Assert.Contains(f.Tensors, t => t.Type == GgmlType.IQ1_M);
        foreach (var t in f.Tensors) Assert.Equal(t.ByteSize, f.GetTensorData(t).Length);
    }
}

public class GgufSymlinkTests
{
    [Fact]
    public void Opens_a_model_through_a_symbolic_link()
    {
        if (OperatingSystem.IsWindows()) return;
        string dir = Directory.CreateTempSubdirectory("hearth-link").FullName;
        try
        {
            string link = Path.Combine(dir, "model.gguf");
            File.CreateSymbolicLink(link, TestData.PathOf("gguf/stories260K.gguf"));
            using var f = Hearth.Gguf.GgufFile.Open(link);
            Assert.Equal(48, f.Tensors.Count);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
