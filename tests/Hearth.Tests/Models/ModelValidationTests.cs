using Hearth.Gguf;

namespace Hearth.Tests.Models;

/// <summary>
/// Issue 18's classes of malformed model, one regression test each with the exact message: values of the wrong type,
/// integer products that wrap, shapes and vocabularies that disagree, block counts beyond the blocks present, the
/// memory estimate. Each is refused by <see cref="Model.Load"/>, not at the first generation. stories260K: n_embd 64,
/// 8 heads of 8, 4 kv heads, n_ff 172, 5 blocks, 512 tokens.
/// </summary>
public sealed class ModelValidationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hearth-validation").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>stories260K with metadata set (a null value removes the key) and tensors kept by a filter.</summary>
    private string Variant(IEnumerable<(string Key, GgufValue? Value)> set, Func<string, bool>? keepTensor = null)
    {
        using var src = GgufFile.Open(TestData.PathOf("gguf/stories260K.gguf"));
        var edits = set.ToList();
        var w = new GgufWriter(src.Version);
        foreach (var kv in src.MetadataEntries)
        {
            if (!edits.Any(e => e.Key == kv.Key)) w.SetMetadata(kv.Key, kv.Value);
        }
        foreach (var (key, value) in edits)
        {
            if (value != null) w.SetMetadata(key, value);
        }
        foreach (var t in src.Tensors)
        {
            if (keepTensor?.Invoke(t.Name) ?? true) w.AddTensor(t.Name, t.Type, t.Dimensions.ToArray(), src.GetTensorData(t).ToArray());
        }
        string path = Path.Combine(_dir, $"{Guid.NewGuid():N}.gguf");
        w.WriteTo(path);
        return path;
    }

    private string Variant(string key, GgufValue? value) => Variant([(key, value)]);

    private static T Refused<T>(string path, string message, string? key = null)
        where T : Exception
    {
        var e = Assert.Throws<T>(() => Model.Load(path, new ModelOptions { Threads = 1 }).Dispose());
        Assert.Equal(message, e.Message);
        if (key != null) Assert.Equal(key, Assert.IsAssignableFrom<GgufFormatException>(e).Key);
        return e;
    }

    // Values of the wrong type name the key, the expected type and the type found.

    [Fact]
    public void Architecture_stored_as_an_integer() =>
        Refused<GgufFormatException>(Variant("general.architecture", GgufValue.Int32(7)),
            "Metadata 'general.architecture' should be a string but is int32.", "general.architecture");

    [Fact]
    public void Name_stored_as_an_integer() =>
        Refused<GgufFormatException>(Variant("general.name", GgufValue.UInt32(3)),
            "Metadata 'general.name' should be a string but is uint32.", "general.name");

    [Fact]
    public void Rope_scaling_type_stored_as_an_integer() =>
        Refused<GgufFormatException>(Variant("llama.rope.scaling.type", GgufValue.Int32(1)),
            "Metadata 'llama.rope.scaling.type' should be a string but is int32.", "llama.rope.scaling.type");

    [Fact]
    public void Hyper_parameter_stored_as_a_string() =>
        Refused<GgufFormatException>(Variant("llama.block_count", GgufValue.String("5")),
            "Metadata 'llama.block_count' should be an integer but is string.", "llama.block_count");

    [Fact]
    public void Hyper_parameter_stored_as_a_float() =>
        Refused<GgufFormatException>(Variant("llama.embedding_length", GgufValue.Float32(64)),
            "Metadata 'llama.embedding_length' should be an integer but is float32.", "llama.embedding_length");

    [Fact]
    public void Float_hyper_parameter_stored_as_a_string() =>
        Refused<GgufFormatException>(Variant("llama.rope.freq_base", GgufValue.String("10000")),
            "Metadata 'llama.rope.freq_base' should be a number but is string.", "llama.rope.freq_base");

    [Fact]
    public void Uint64_above_2_to_the_63() =>
        Refused<GgufFormatException>(Variant("llama.context_length", GgufValue.UInt64((1UL << 63) + 5)),
            "Metadata 'llama.context_length' = 9223372036854775813 (uint64) is beyond the largest value Hearth accepts, 9223372036854775807.",
            "llama.context_length");

    [Fact]
    public void Tokenizer_flag_stored_as_a_string() =>
        Refused<GgufFormatException>(Variant("tokenizer.ggml.add_bos_token", GgufValue.String("true")),
            "Metadata 'tokenizer.ggml.add_bos_token' should be a bool but is string.", "tokenizer.ggml.add_bos_token");

    [Fact]
    public void Token_id_stored_as_a_float() =>
        Refused<GgufFormatException>(Variant("tokenizer.ggml.bos_token_id", GgufValue.Float32(1)),
            "Metadata 'tokenizer.ggml.bos_token_id' should be an integer but is float32.", "tokenizer.ggml.bos_token_id");

    [Fact]
    public void Typed_getters_on_the_file_name_the_key()
    {
        using var f = GgufFile.Open(Variant("llama.block_count", GgufValue.String("5")));
        var e = Assert.Throws<GgufFormatException>(() => f.GetInt64("llama.block_count"));
        Assert.Equal("llama.block_count", e.Key);
        Assert.Equal(-1, e.Offset);
        e = Assert.Throws<GgufFormatException>(() => f.GetArray<float>("tokenizer.ggml.tokens"));
        Assert.Equal("Metadata 'tokenizer.ggml.tokens' should be an array of float32 but is an array of string.", e.Message);
        e = Assert.Throws<GgufFormatException>(() => f.GetDouble("general.name"));
        Assert.Equal("Metadata 'general.name' should be a number but is string.", e.Message);
    }

    // Products of hyper-parameters in 64 bits: a 32-bit product could wrap to the real tensor widths.

    [Fact]
    public void Key_length_whose_product_wraps_to_the_query_width() =>
        // 8 heads × 536870920 = 2^32 + 64, which wraps to the real 64 in 32 bits.
        Refused<ModelConfigurationException>(Variant("llama.attention.key_length", GgufValue.UInt32(536870920)),
            "The model's llama.attention.head_count × llama.attention.key_length is 4294967360, beyond any tensor Hearth can use (2147483647).");

    [Fact]
    public void Head_counts_whose_product_wraps() =>
        Refused<ModelConfigurationException>(Variant(
            [
                ("llama.attention.head_count", GgufValue.UInt32((1u << 29) + 8)),
                ("llama.attention.head_count_kv", GgufValue.UInt32((1u << 29) + 8)),
                ("llama.attention.key_length", GgufValue.UInt32(8)),
            ]),
            "The model's llama.attention.head_count × llama.attention.key_length is 4294967360, beyond any tensor Hearth can use (2147483647).");

    [Fact]
    public void Value_length_that_contradicts_the_value_tensor() =>
        Refused<ModelConfigurationException>(Variant("llama.attention.value_length", GgufValue.UInt32(16)),
            "Tensor 'blk.0.attn_v.weight' has shape [64, 32]; expected [64, 64] from the model's metadata.", "blk.0.attn_v.weight");

    [Fact]
    public void Expert_feed_forward_length_on_a_dense_model_is_ignored()
    {
        // 2^31 − 2 once sized the feed-forward buffers of a dense model and wrapped them negative.
        using var model = Model.Load(Variant("llama.expert_feed_forward_length", GgufValue.UInt32(int.MaxValue - 1)), new ModelOptions { Threads = 1 });
        using var session = model.CreateSession(16);
        Assert.Equal(512, session.Evaluate([1, 2, 3]).Length);
    }

    [Fact]
    public void Block_count_beyond_the_blocks_present_fails_before_allocating_layers() =>
        Refused<ModelConfigurationException>(Variant("llama.block_count", GgufValue.UInt32(int.MaxValue)),
            "Metadata 'llama.block_count' = 2147483647 but the file has tensors for blocks 0 to 4.", "llama.block_count");

    [Fact]
    public void Block_count_below_the_blocks_present() =>
        Refused<ModelConfigurationException>(Variant("llama.block_count", GgufValue.UInt32(4)),
            "Metadata 'llama.block_count' = 4 but the file has tensors for blocks 0 to 4.", "llama.block_count");

    // Shapes and vocabularies checked at load.

    [Fact]
    public void Rope_dimensions_beyond_the_head_size() =>
        Refused<ModelConfigurationException>(Variant("llama.rope.dimension_count", GgufValue.UInt32(16)),
            "Metadata 'llama.rope.dimension_count' = 16 must be even and at most the head size 8 (llama.attention.key_length).",
            "llama.rope.dimension_count");

    [Fact]
    public void Vocabulary_smaller_than_the_embedding()
    {
        using var src = GgufFile.Open(TestData.PathOf("gguf/stories260K.gguf"));
        string path = Variant(
        [
            ("tokenizer.ggml.tokens", GgufValue.Array(src.GetArray<string>("tokenizer.ggml.tokens")![..500])),
            ("tokenizer.ggml.scores", GgufValue.Array(src.GetArray<float>("tokenizer.ggml.scores")![..500])),
            ("tokenizer.ggml.token_type", GgufValue.Array(src.GetArray<int>("tokenizer.ggml.token_type")![..500])),
        ]);
        Refused<ModelConfigurationException>(path,
            "The vocabulary has 500 tokens (tokenizer.ggml.tokens) but the token embedding has 512 rows (token_embd.weight); they must be equal.",
            "tokenizer.ggml.tokens");
    }

    [Fact]
    public void Tokenizer_arrays_of_different_lengths()
    {
        using var src = GgufFile.Open(TestData.PathOf("gguf/stories260K.gguf"));
        Refused<ModelConfigurationException>(Variant("tokenizer.ggml.scores", GgufValue.Array(src.GetArray<float>("tokenizer.ggml.scores")![..511])),
            "tokenizer.ggml.scores has 511 entries but tokenizer.ggml.tokens has 512; they must be the same length.");
    }

    [Fact]
    public void Special_token_ids_beyond_the_vocabulary_keep_the_defaults()
    {
        // As llama.cpp: an id outside the vocabulary (often 0xFFFFFFFF for "none") is ignored; the default stays.
        using var model = Model.Load(Variant(
            [
                ("tokenizer.ggml.bos_token_id", GgufValue.UInt32(600)),
                ("tokenizer.ggml.eos_token_id", GgufValue.UInt32(uint.MaxValue)),
            ]), new ModelOptions { Threads = 1 });
        Assert.Equal(1, model.Tokenizer.BosId);
        Assert.Equal(2, model.Tokenizer.EosId);
    }

    [Fact]
    public void Missing_output_norm_is_named() =>
        Refused<ModelConfigurationException>(Variant([], keepTensor: n => n != "output_norm.weight"),
            "The model is missing the required tensor 'output_norm.weight'.", "output_norm.weight");

    [Fact]
    public void Non_finite_rms_epsilon() =>
        Refused<ModelConfigurationException>(Variant("llama.attention.layer_norm_rms_epsilon", GgufValue.Float32(float.NaN)),
            "Metadata 'llama.attention.layer_norm_rms_epsilon' gives NaN, which is not a usable value (finite, at least 0).",
            "llama.attention.layer_norm_rms_epsilon");

    // The memory a session needs, estimated before anything is allocated.

    [Fact]
    public void Session_memory_above_the_limit_is_refused_at_load()
    {
        string path = TestData.PathOf("gguf/stories260K.gguf");
        var e = Assert.Throws<ModelMemoryException>(() => Model.Load(path, new ModelOptions { Threads = 1, MemoryLimit = 1 << 20 }));
        Assert.StartsWith("A session of 2048 tokens (batch 512) would need about ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("but the memory limit is 1 MiB; use a smaller context or batch.", e.Message, StringComparison.Ordinal);
        Assert.True(e.RequiredBytes > e.LimitBytes);
        Assert.Equal(1 << 20, e.LimitBytes);
    }

    [Fact]
    public void Session_memory_is_checked_for_the_requested_context()
    {
        using var model = Model.Load(TestData.PathOf("gguf/stories260K.gguf"), new ModelOptions { Threads = 1, BatchSize = 8, MemoryLimit = 64 << 20 });
        using (model.CreateSession(256))
        {
        }
        var e = Assert.Throws<ModelMemoryException>(() => model.CreateSession(int.MaxValue));
        Assert.StartsWith($"A session of {int.MaxValue} tokens (batch 8) would need ", e.Message, StringComparison.Ordinal);
    }
}
