namespace Hearth.Tests.Cli;

public class CliBasicsTests
{
    [Fact]
    public void Info_on_a_non_gguf_file_is_a_clear_error_with_nonzero_exit()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "this is not a model file at all");
            var r = CliRunner.Run("info", "-m", path);
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("not a GGUF file", r.StdErr);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Malformed_model_is_refused_with_the_typed_message_and_no_stack_trace()
    {
        // Issue 18: stories260K with a key_length whose 32-bit product with head_count wraps to the real query width.
        string path = Path.Combine(Path.GetTempPath(), $"hearth-cli-bad-{Guid.NewGuid():N}.gguf");
        try
        {
            using (var src = Hearth.Gguf.GgufFile.Open(TestData.PathOf("gguf/stories260K.gguf")))
            {
                var w = Hearth.Gguf.GgufWriter.From(src);
                w.SetMetadata("llama.attention.key_length", Hearth.Gguf.GgufValue.UInt32(536870920));
                w.WriteTo(path);
            }
            var r = CliRunner.Run("run", "-m", path, "-p", "Once upon a time", "-n", "2");
            Assert.Equal(1, r.ExitCode);
            Assert.Equal(
                "error: The model's llama.attention.head_count × llama.attention.key_length is 4294967360, beyond any tensor Hearth can use (2147483647).",
                r.StdErr.Trim());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Prompt_longer_than_the_context_exits_nonzero_with_both_counts()
    {
        var r = CliRunner.Run("run", "-c", "16", "-p", string.Concat(Enumerable.Repeat("Once upon a time ", 10)), "-n", "4", "--temp", "0");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("context is full", r.StdErr);
        Assert.Contains("holds 16", r.StdErr);
    }

    [Fact]
    public void Run_with_the_builtin_model_matches_llama_cpp_greedy_text()
    {
        // testdata README: llama.cpp continues "Once upon a time" with ", there was a little girl named Lily. ..."
        var r = CliRunner.Run("run", "-p", "Once upon a time", "-n", "16", "--temp", "0", "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = System.Text.Json.JsonDocument.Parse(r.StdOut);
        Assert.StartsWith(", there was a little girl named Lily.", doc.RootElement.GetProperty("text").GetString());
        Assert.Equal(1, doc.RootElement.GetProperty("prompt_tokens")[0].GetInt32());
        Assert.Equal(16, doc.RootElement.GetProperty("tokens").GetArrayLength());
    }
}
