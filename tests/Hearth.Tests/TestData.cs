namespace Hearth.Tests;

/// <summary>Locates ../shared/testdata from the test binary's directory (the repository's sibling folder).</summary>
internal static class TestData
{
    private static readonly Lazy<string?> Root = new(Find);

    /// <summary>Absolute path of the shared testdata folder, or null when it is not present on this machine.</summary>
    public static string? Directory => Root.Value;

    public static string PathOf(string relative)
    {
        string root = Directory ?? throw new InvalidOperationException(
            "The shared test data folder (../shared/testdata beside the repository) was not found.");
        return System.IO.Path.Combine(root, relative);
    }

    /// <summary>
    /// Absolute path of <paramref name="relative"/> under this test project's source folder (data files kept in the
    /// repository, e.g. ChatTemplates/), found by walking up from the test binary.
    /// </summary>
    public static string ProjectPath(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "Hearth.Tests.csproj");
            if (File.Exists(candidate)) return System.IO.Path.Combine(dir.FullName, relative);
        }
        throw new InvalidOperationException($"The Hearth.Tests project folder was not found above {AppContext.BaseDirectory}.");
    }

    /// <summary>
    /// A data file shipped in this repository (tests/Hearth.Tests/TestData, copied beside the test binary): vocabularies,
    /// vectors and chat templates taken from llama.cpp's source tree, which CI does not have.
    /// </summary>
    public static string LocalPathOf(string relative)
    {
        string path = System.IO.Path.Combine(AppContext.BaseDirectory, "TestData", relative);
        if (!File.Exists(path)) throw new FileNotFoundException($"Test data file {relative} is missing from {System.IO.Path.GetDirectoryName(path)}.", path);
        return path;
    }

    private static string? Find()
    {
        string? env = Environment.GetEnvironmentVariable("HEARTH_TESTDATA");
        if (!string.IsNullOrEmpty(env) && System.IO.Directory.Exists(env)) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "shared", "testdata");
            if (System.IO.Directory.Exists(candidate)) return candidate;
            candidate = System.IO.Path.Combine(dir.FullName, "..", "shared", "testdata");
            if (System.IO.Directory.Exists(candidate)) return System.IO.Path.GetFullPath(candidate);
        }
        return null;
    }
}
