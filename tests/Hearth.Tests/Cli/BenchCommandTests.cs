using System.Text.Json;

namespace Hearth.Tests.Cli;

public class BenchCommandTests
{
    [Fact]
    public void Json_reports_every_depth_and_keeps_the_first_at_the_top_level()
    {
        var r = CliRunner.Run("bench", "-t", "1", "-p", "8", "-n", "4", "-r", "1", "-d", "0,24", "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var root = doc.RootElement;
        Assert.Equal(8, root.GetProperty("pp").GetProperty("n_tokens").GetInt32());
        Assert.Equal(4, root.GetProperty("tg").GetProperty("n_tokens").GetInt32());
        Assert.Equal(0, root.GetProperty("n_depth").GetInt32());
        var depths = root.GetProperty("depths");
        Assert.Equal(2, depths.GetArrayLength());
        Assert.Equal(24, depths[1].GetProperty("n_depth").GetInt32());
        Assert.True(depths[1].GetProperty("tg").GetProperty("tokens_per_s").GetProperty("median").GetDouble() > 0);
        Assert.True(root.GetProperty("kv_cache_bytes_per_token").GetInt64() > 0);
    }

    [Fact]
    public void A_depth_that_is_not_a_count_is_a_clear_error()
    {
        var r = CliRunner.Run("bench", "-p", "8", "-n", "4", "-r", "1", "-d", "0,lots");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("'lots' is not one", r.StdErr);
    }
}
