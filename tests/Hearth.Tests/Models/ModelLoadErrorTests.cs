using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Tests.Models;

/// <summary>Model files that are valid GGUF but not a runnable model: each gives an error naming the problem.</summary>
public class ModelLoadErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hearth-load-errors").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>stories260K rewritten with edits: metadata filtered/overridden, tensors filtered/replaced.</summary>
    private string Variant(string name, Func<string, bool>? keepKey = null, Func<string, bool>? keepTensor = null,
        (string Key, GgufValue Value)? set = null, (string Name, GgmlType Type, long[] Dims, byte[] Data)? tensor = null)
    {
        using var src = GgufFile.Open(TestData.PathOf("gguf/stories260K.gguf"));
        var w = new GgufWriter(src.Version);
        foreach (var kv in src.MetadataEntries)
        {
            if (keepKey?.Invoke(kv.Key) ?? true) w.SetMetadata(kv.Key, kv.Value);
        }
        if (set is { } s) w.SetMetadata(s.Key, s.Value);
        foreach (var t in src.Tensors)
        {
            if (tensor is { } r && r.Name == t.Name)
            {
                w.AddTensor(r.Name, r.Type, r.Dims, r.Data);
                continue;
            }
            if (keepTensor?.Invoke(t.Name) ?? true) w.AddTensor(t.Name, t.Type, t.Dimensions.ToArray(), src.GetTensorData(t).ToArray());
        }
        string path = Path.Combine(_dir, name + ".gguf");
        w.WriteTo(path);
        return path;
    }

    [Fact]
    public void Unknown_architecture_is_named_with_the_supported_list()
    {
        string path = Variant("arch", set: ("general.architecture", GgufValue.String("mamba")));
        var ex = Assert.Throws<NotSupportedException>(() => Model.Load(path));
        Assert.Contains("'mamba'", ex.Message);
        Assert.Contains("llama", ex.Message);
        Assert.Contains("qwen2", ex.Message);
    }

    [Fact]
    public void Missing_tensor_is_named()
    {
        string path = Variant("tensor", keepTensor: n => n != "blk.3.ffn_up.weight");
        var ex = Assert.Throws<ModelConfigurationException>(() => Model.Load(path));
        Assert.Contains("blk.3.ffn_up.weight", ex.Message);
    }

    [Fact]
    public void Missing_required_key_is_named()
    {
        string path = Variant("key", keepKey: k => k != "llama.block_count");
        var ex = Assert.Throws<ModelConfigurationException>(() => Model.Load(path));
        Assert.Contains("llama.block_count", ex.Message);
    }

    [Fact]
    public void Unsupported_tensor_type_is_named_with_the_supported_list()
    {
        // I32 is a valid ggml type that no weight matrix uses.
        string path = Variant("type", tensor: ("blk.0.attn_q.weight", GgmlType.I32, [64, 64], new byte[64 * 64 * 4]));
        var ex = Assert.Throws<NotSupportedException>(() => Model.Load(path));
        Assert.Contains("blk.0.attn_q.weight", ex.Message);
        Assert.Contains("I32", ex.Message);
        Assert.Contains("Q4_K", ex.Message);
    }

    [Fact]
    public void Tensor_shape_that_contradicts_the_metadata_is_named()
    {
        string path = Variant("shape", set: ("llama.feed_forward_length", GgufValue.UInt32(200)));
        var ex = Assert.Throws<ModelConfigurationException>(() => Model.Load(path));
        Assert.Contains("ffn_gate", ex.Message);
        Assert.Contains("200", ex.Message);
    }

    [Fact]
    public void Vocabulary_only_file_is_not_a_model()
    {
        var ex = Assert.Throws<ModelConfigurationException>(() => Model.Load(TestData.PathOf("vocab/ggml-vocab-llama-spm.gguf")));
        Assert.Contains("vocabulary-only", ex.Message);
    }

    [Fact]
    public void Truncated_file_is_a_format_error_with_offset()
    {
        byte[] bytes = File.ReadAllBytes(TestData.PathOf("gguf/stories260K.gguf"));
        string path = Path.Combine(_dir, "truncated.gguf");
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length / 2).ToArray());
        var ex = Assert.Throws<GgufFormatException>(() => Model.Load(path));
        Assert.Contains("end of the file", ex.Message);
        Assert.True(ex.Offset > 0);
    }
}
