namespace Hearth.Tests.Tokenization;

/// <summary>
/// llama.cpp's tokenizer test vectors (tests/test-tokenizer-0 format, see testdata README §2): <c>.inp</c> holds strings
/// separated by the line <c>__ggml_vocab_test__</c>, <c>.out</c> one line of space-separated ids per string.
/// </summary>
internal static class TokenizerVectors
{
    public sealed record Case(int Index, string Text, int[] Expected);

    public static IReadOnlyList<Case> Load(string inputPath)
    {
        string inp = File.ReadAllText(inputPath + ".inp");
        string[] outLines = File.ReadAllText(inputPath + ".out").Split('\n');
        var texts = new List<string>(inp.Split("\n__ggml_vocab_test__\n"));
        if (texts.Count > 0 && texts[^1].Length == 0) texts.RemoveAt(texts.Count - 1);
        var cases = new List<Case>();
        for (int i = 0; i < texts.Count; i++)
        {
            string line = outLines[i].Trim();
            int[] ids = line.Length == 0 ? [] : Array.ConvertAll(line.Split(' ', StringSplitOptions.RemoveEmptyEntries), int.Parse);
            cases.Add(new Case(i, texts[i], ids));
        }
        return cases;
    }

    /// <summary>Runs every case and reports all mismatches at once, with the text and both id lists.</summary>
    public static void AssertAll(IReadOnlyList<Case> cases, Func<string, int[]> encode)
    {
        Assert.NotEmpty(cases);
        var failures = new List<string>();
        foreach (var c in cases)
        {
            int[] actual = encode(c.Text);
            if (!actual.AsSpan().SequenceEqual(c.Expected))
                failures.Add($"#{c.Index} {Show(c.Text)}\n  expected: {string.Join(' ', c.Expected)}\n  actual:   {string.Join(' ', actual)}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} strings differ:\n" + string.Join('\n', failures));
    }

    public static string Show(string s) =>
        "\"" + s.Replace("\\", "\\\\").Replace("\n", "\\n").Replace("\r", "\\r").Replace("\t", "\\t") + "\"";
}
