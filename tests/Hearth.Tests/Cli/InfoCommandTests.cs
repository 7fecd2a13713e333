using System.Text.Json;
using Hearth.Gguf;

namespace Hearth.Tests.Cli;

/// <summary><c>hearth info</c> through the real CLI; expected values come from the testdata README's table.</summary>
public class InfoCommandTests
{
    private static JsonElement InfoJson(string relative)
    {
        var r = CliRunner.Run("info", "-m", TestData.PathOf(relative), "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        return JsonDocument.Parse(r.StdOut).RootElement;
    }

    [Fact]
    public void Json_for_stories260K()
    {
        var j = InfoJson("gguf/stories260K.gguf");
        Assert.Equal("llama", j.GetProperty("architecture").GetString());
        Assert.Equal(292_800, j.GetProperty("parameters").GetInt64());
        Assert.Equal(1_185_376, j.GetProperty("file_size_bytes").GetInt64());
        Assert.Equal(3, j.GetProperty("gguf_version").GetInt32());
        Assert.Equal(48, j.GetProperty("tensor_count").GetInt32());
        var types = j.GetProperty("tensor_types");
        Assert.Single(types.EnumerateObject());
        Assert.Equal(48, types.GetProperty("F32").GetProperty("count").GetInt32());
        Assert.Equal(292_800 * 4, types.GetProperty("F32").GetProperty("bytes").GetInt64());
        Assert.Equal(2048, j.GetProperty("context_length").GetInt32());
        // dim 64, 5 layers, 8 heads, 4 KV heads, FFN 172 (README).
        Assert.Equal(64, j.GetProperty("embedding_length").GetInt32());
        Assert.Equal(5, j.GetProperty("block_count").GetInt32());
        Assert.Equal(8, j.GetProperty("head_count").GetInt32());
        Assert.Equal(4, j.GetProperty("head_count_kv").GetInt32());
        Assert.Equal(172, j.GetProperty("feed_forward_length").GetInt32());
        var tok = j.GetProperty("tokenizer");
        Assert.Equal("llama", tok.GetProperty("model").GetString());
        Assert.Equal(512, tok.GetProperty("vocab_size").GetInt32());
        Assert.False(j.GetProperty("has_chat_template").GetBoolean());
        // 5 layers × 4 KV heads × (8 + 8) × 2 bytes; no recurrent layers.
        Assert.Equal(5 * 4 * 16 * 2, j.GetProperty("kv_cache_bytes_per_token").GetInt64());
        Assert.Equal(0, j.GetProperty("recurrent_state_bytes").GetInt64());
    }

    [Fact]
    public void Json_tensor_type_histogram_for_the_mixed_quant_file()
    {
        var j = InfoJson("gguf/stories260K-Q4_K_M.gguf");
        Assert.Equal(292_800, j.GetProperty("parameters").GetInt64());
        var types = j.GetProperty("tensor_types");
        Assert.Equal(29, types.GetProperty("Q5_0").GetProperty("count").GetInt32());
        Assert.Equal(3, types.GetProperty("Q8_0").GetProperty("count").GetInt32());
        Assert.Equal(5, types.GetProperty("F16").GetProperty("count").GetInt32());
        Assert.Equal(11, types.GetProperty("F32").GetProperty("count").GetInt32());
    }

    [Fact]
    public void Json_for_a_vocabulary_only_file_with_no_tensors()
    {
        var j = InfoJson("vocab/ggml-vocab-gpt-2.gguf");
        Assert.Equal(0, j.GetProperty("tensor_count").GetInt32());
        Assert.Equal(0, j.GetProperty("parameters").GetInt64());
        Assert.Empty(j.GetProperty("tensor_types").EnumerateObject());
        var tok = j.GetProperty("tokenizer");
        Assert.Equal("gpt2", tok.GetProperty("model").GetString());
        Assert.Equal("gpt-2", tok.GetProperty("pre").GetString());
        Assert.Equal(50257, tok.GetProperty("vocab_size").GetInt32());
    }

    [Fact]
    public void Plain_text_is_readable()
    {
        var r = CliRunner.Run("info", "-m", TestData.PathOf("gguf/stories260K.gguf"));
        Assert.Equal(0, r.ExitCode);
        Assert.Matches(@"architecture\s+llama", r.StdOut);
        Assert.Matches(@"parameters\s+292,800", r.StdOut);
        Assert.Matches(@"context length\s+2048", r.StdOut);
        Assert.Matches(@"vocabulary\s+512 tokens", r.StdOut);
        Assert.Matches(@"F32\s+48\s+1,171,200", r.StdOut);
        Assert.DoesNotContain("\u001b[", r.StdOut); // no terminal escapes when redirected
    }

    [Fact]
    public void Truncated_file_exits_nonzero_with_the_format_error()
    {
        byte[] bytes = File.ReadAllBytes(TestData.PathOf("gguf/stories260K.gguf"))[..5000];
        string expected = Assert.Throws<GgufFormatException>(() => GgufFile.FromBytes(bytes).Dispose()).Message;
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, bytes);
            var r = CliRunner.Run("info", "-m", path, "--json");
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("truncated", expected);
            Assert.Contains(expected, r.StdErr);
            Assert.Equal("", r.StdOut);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Missing_file_exits_nonzero_naming_it()
    {
        string path = Path.Combine(Path.GetTempPath(), $"hearth-missing-{Guid.NewGuid():N}.gguf");
        var r = CliRunner.Run("info", "-m", path);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("not found", r.StdErr);
        Assert.Contains(path, r.StdErr);
    }

    [Fact]
    public void Reports_a_chat_template_and_per_layer_arrays()
    {
        var w = new GgufWriter();
        w.SetMetadata("general.architecture", GgufValue.String("qwen3"));
        w.SetMetadata("qwen3.context_length", GgufValue.UInt32(40960));
        w.SetMetadata("qwen3.attention.head_count", GgufValue.Array(new[] { 4, 8 }));
        w.SetMetadata("tokenizer.chat_template", GgufValue.String("{{ messages }}"));
        w.AddTensor("x", Hearth.Numerics.GgmlType.Q8_0, [64, 3], new byte[6 * 34]);
        string path = Path.GetTempFileName();
        try
        {
            w.WriteTo(path);
            var r = CliRunner.Run("info", "-m", path, "--json");
            Assert.True(r.ExitCode == 0, r.StdErr);
            var j = JsonDocument.Parse(r.StdOut).RootElement;
            Assert.True(j.GetProperty("has_chat_template").GetBoolean());
            Assert.Equal(40960, j.GetProperty("context_length").GetInt32());
            Assert.Equal([4, 8], j.GetProperty("head_count").EnumerateArray().Select(e => e.GetInt32()));
            Assert.Equal(192, j.GetProperty("parameters").GetInt64());
            Assert.Equal(204, j.GetProperty("tensor_types").GetProperty("Q8_0").GetProperty("bytes").GetInt64());
            Assert.Equal(JsonValueKind.Null, j.GetProperty("tokenizer").GetProperty("model").ValueKind);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Mixture_of_experts_reports_experts_and_active_parameters()
    {
        // 4 experts, 2 used: of the routed tensors (*_exps) half count; attention and the shared expert count whole.
        var w = new GgufWriter();
        w.SetMetadata("general.architecture", GgufValue.String("qwen3moe"));
        w.SetMetadata("qwen3moe.expert_count", GgufValue.UInt32(4));
        w.SetMetadata("qwen3moe.expert_used_count", GgufValue.UInt32(2));
        w.AddTensor("blk.0.attn_q.weight", Hearth.Numerics.GgmlType.F32, [8, 8], new byte[64 * 4]);
        w.AddTensor("blk.0.ffn_gate_exps.weight", Hearth.Numerics.GgmlType.F32, [8, 4, 4], new byte[128 * 4]);
        w.AddTensor("blk.0.ffn_gate_shexp.weight", Hearth.Numerics.GgmlType.F32, [8, 4], new byte[32 * 4]);
        string path = Path.GetTempFileName();
        try
        {
            w.WriteTo(path);
            var r = CliRunner.Run("info", "-m", path, "--json");
            Assert.True(r.ExitCode == 0, r.StdErr);
            var j = JsonDocument.Parse(r.StdOut).RootElement;
            Assert.Equal(224, j.GetProperty("parameters").GetInt64());
            Assert.Equal(224 - 128 + 64, j.GetProperty("active_parameters").GetInt64());
            Assert.Equal(4, j.GetProperty("expert_count").GetInt32());
            Assert.Equal(2, j.GetProperty("expert_used_count").GetInt32());
            var text = CliRunner.Run("info", "-m", path);
            Assert.True(text.ExitCode == 0, text.StdErr);
            Assert.Matches(@"experts\s+4\n", text.StdOut.Replace("\r", "", StringComparison.Ordinal));
            Assert.Matches(@"experts used\s+2\n", text.StdOut.Replace("\r", "", StringComparison.Ordinal));
            Assert.Matches(@"active parameters\s+160 \(160\) per token", text.StdOut);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
