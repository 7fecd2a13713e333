namespace Hearth.Tests.Api;

/// <summary>samples/Hearth.Sample builds against the public API only and streams llama.cpp's greedy continuation.</summary>
public class SampleTests
{
    [Fact]
    public void Sample_builds_and_streams_a_completion()
    {
        var (_, _, expectedText) = Stories.OnceUponATime();
        var (code, log) = ProcessRunner.Dotnet(TimeSpan.FromMinutes(4), "run", "--project", "samples/Hearth.Sample/Hearth.Sample.csproj",
            "-c", ProcessRunner.Configuration, "--", Stories.ModelPath, "Once upon a time");
        Assert.True(code == 0, log);
        // 48 greedy tokens: the first 40 characters of llama.cpp's continuation are certainly among them.
        Assert.Contains("Once upon a time" + expectedText[..40], log);
        Assert.Contains("tokens in the session]", log);
    }
}
