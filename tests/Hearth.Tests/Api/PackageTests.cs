using System.IO.Compression;

namespace Hearth.Tests.Api;

/// <summary>
/// <c>dotnet pack</c> of the library and the CLI tool (from the binaries this test run already built, --no-build):
/// the library carries README, licence and symbols, and neither a native binary nor a model file.
/// </summary>
public class PackageTests
{
    [Fact]
    public void Library_package_has_readme_licence_and_symbols_and_no_native_binary_or_model()
    {
        string output = Directory.CreateTempSubdirectory("hearth-pack").FullName;
        try
        {
            var (code, log) = ProcessRunner.Dotnet(TimeSpan.FromMinutes(3), "pack", "src/Hearth/Hearth.csproj", "-c", ProcessRunner.Configuration, "--no-build", "-o", output);
            Assert.True(code == 0, log);
            string nupkg = Directory.GetFiles(output, "Hearth.*.nupkg").Single();
            Assert.Single(Directory.GetFiles(output, "Hearth.*.snupkg"));
            using var zip = ZipFile.OpenRead(nupkg);
            var names = zip.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("README.md", names);
            Assert.Contains("LICENSE", names);
            Assert.Contains("lib/net10.0/Hearth.dll", names);
            Assert.DoesNotContain(names, n => n.StartsWith("runtimes/", StringComparison.Ordinal));
            Assert.DoesNotContain(names, n => n.EndsWith(".so", StringComparison.Ordinal) || n.EndsWith(".dylib", StringComparison.Ordinal)
                                               || n.EndsWith(".gguf", StringComparison.Ordinal) || n.EndsWith(".exe", StringComparison.Ordinal));
            Assert.Equal(["lib/net10.0/Hearth.dll"], names.Where(n => n.EndsWith(".dll", StringComparison.Ordinal)));
            // The library itself embeds no model: the built-in one belongs to the CLI.
            using var dll = zip.GetEntry("lib/net10.0/Hearth.dll")!.Open();
            using var copy = new MemoryStream();
            dll.CopyTo(copy);
            Assert.Equal(-1, copy.ToArray().AsSpan().IndexOf("GGUF"u8.ToArray().Concat(new byte[] { 3, 0, 0, 0 }).ToArray()));
            var nuspec = new StreamReader(zip.GetEntry("Hearth.nuspec")!.Open()).ReadToEnd();
            Assert.Contains("<license type=\"file\">LICENSE</license>", nuspec);
            Assert.Contains("<readme>README.md</readme>", nuspec);
            Assert.Contains("<tags>", nuspec);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public void Cli_package_is_the_hearth_tool_with_the_built_in_model()
    {
        string output = Directory.CreateTempSubdirectory("hearth-pack-cli").FullName;
        try
        {
            var (code, log) = ProcessRunner.Dotnet(TimeSpan.FromMinutes(3), "pack", "src/Hearth.Cli/Hearth.Cli.csproj", "-c", ProcessRunner.Configuration, "--no-build", "-o", output);
            Assert.True(code == 0, log);
            using var zip = ZipFile.OpenRead(Directory.GetFiles(output, "Hearth.Cli.*.nupkg").Single());
            var settings = new StreamReader(zip.GetEntry("tools/net10.0/any/DotnetToolSettings.xml")!.Open()).ReadToEnd();
            Assert.Contains("Name=\"hearth\"", settings);
            var cli = zip.GetEntry("tools/net10.0/any/Hearth.Cli.dll")!;
            // stories260K.gguf (1,185,376 bytes) is an embedded resource of the CLI assembly.
            Assert.True(cli.Length > 1_185_376, $"Hearth.Cli.dll is {cli.Length} bytes: the built-in model is missing");
            Assert.Contains("LICENSE", zip.Entries.Select(e => e.FullName));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
