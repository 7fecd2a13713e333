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
}
