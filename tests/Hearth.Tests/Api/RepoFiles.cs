namespace Hearth.Tests.Api;

/// <summary>Checked-in files that tests compare with what the code produces (set HEARTH_UPDATE_DOCS=1 to rewrite them).</summary>
internal static class RepoFiles
{
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Hearth.slnx"))) return dir.FullName;
            }
            throw new InvalidOperationException("The repository root (with Hearth.slnx) was not found above the test binaries.");
        }
    }

    /// <summary>Asserts the checked-in file equals <paramref name="actual"/>, or rewrites it when HEARTH_UPDATE_DOCS=1.</summary>
    public static void AssertMatches(string relativePath, string actual)
    {
        string path = Path.Combine(Root, relativePath);
        if (Environment.GetEnvironmentVariable("HEARTH_UPDATE_DOCS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"{relativePath} is missing; run the tests with HEARTH_UPDATE_DOCS=1 to create it.");
        string expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        if (expected != actual)
        {
            var e = expected.Split('\n');
            var a = actual.Split('\n');
            int i = 0;
            while (i < e.Length && i < a.Length && e[i] == a[i]) i++;
            Assert.Fail($"{relativePath} differs from the code at line {i + 1}:\n  file: {(i < e.Length ? e[i] : "<end>")}\n  code: {(i < a.Length ? a[i] : "<end>")}\n" +
                        "If the change is deliberate, run the tests with HEARTH_UPDATE_DOCS=1 and commit the file.");
        }
    }
}
