using System.Diagnostics;

namespace Hearth.Tests.Tokenization;

/// <summary>Hang guards: 100 kB runs of one character must not take quadratic time (measured well under a second).</summary>
public class LongInputTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var (name, _, _) in Vocabs.All)
        {
            data.Add(name, "a");
            data.Add(name, "猫");
            data.Add(name, " ");
            data.Add(name, "7");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Hundred_kilobytes_of_one_character_tokenize_quickly(string vocab, string ch)
    {
        var tok = Vocabs.Get(vocab);
        string text = string.Concat(Enumerable.Repeat(ch, 100_000 / System.Text.Encoding.UTF8.GetByteCount(ch)));
        tok.Encode("warm up " + ch, addSpecial: false);
        var sw = Stopwatch.StartNew();
        int[] ids = tok.Encode(text, addSpecial: false);
        sw.Stop();
        if (!(vocab == "bert-bge" && ch == " ")) Assert.NotEmpty(ids); // WordPiece drops whitespace
        Assert.True(sw.Elapsed.TotalSeconds < 5, $"{vocab}: 100 kB of '{ch}' took {sw.Elapsed.TotalSeconds:F2} s");
        if (vocab != "bert-bge") Assert.Equal(text, tok.Decode(ids));
    }
}
