using System.Diagnostics;
using System.Text;
using Hearth.Tokenization;
using Xunit.Abstractions;

namespace Hearth.Tests.Tokenization;

/// <summary>
/// 1 MB of English-like text through Hearth and llama.cpp on the same vocabulary: the ids must be identical, and the
/// speed of both is reported (MB/s) in the test output. Speed is not asserted; this is a measurement, not a gate.
/// </summary>
public class ThroughputTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("vocab/ggml-vocab-llama-spm.gguf")]
    [InlineData("vocab/ggml-vocab-gpt-2.gguf")]
    [InlineData("llama-bpe")]
    public void One_megabyte_of_english_matches_llama_cpp_and_reports_speed(string source)
    {
        string path = source.EndsWith(".gguf", StringComparison.Ordinal)
            ? TestData.PathOf(source)
            : VocabFiles.FromTokenizerJson("tokenizers/llama3/tokenizer.json", source);
        Tokenizer hearth;
        using (var file = Hearth.Gguf.GgufFile.Open(path)) hearth = Tokenizer.FromGguf(file);
        using var llama = LlamaCppVocab.Load(path);
        string text = EnglishText(1 << 20);
        hearth.Encode(text[..10000], false);
        llama.Tokenize(text[..10000], false, false);

        var sw = Stopwatch.StartNew();
        int[] ours = hearth.Encode(text, addSpecial: false);
        double hearthSeconds = sw.Elapsed.TotalSeconds;
        sw.Restart();
        int[] theirs = llama.Tokenize(text, addSpecial: false, parseSpecial: false);
        double llamaSeconds = sw.Elapsed.TotalSeconds;

        Assert.Equal(theirs.Length, ours.Length);
        Assert.True(theirs.AsSpan().SequenceEqual(ours), "token ids differ from llama.cpp on the 1 MB text");
        double mb = Encoding.UTF8.GetByteCount(text) / 1e6;
        output.WriteLine($"{Path.GetFileName(path)}: {ours.Length} tokens; Hearth {mb / hearthSeconds:F1} MB/s, llama.cpp {mb / llamaSeconds:F1} MB/s");
    }

    /// <summary>Sentences of common English words with punctuation, numbers and paragraphs (fixed seed).</summary>
    internal static string EnglishText(int bytes)
    {
        string[] words = ("the of and to in is was that for it with as his on be at by had are but from or have an they which one you were " +
            "her all she there would their we him been has when who will more no if out so said what up its about into than them can only " +
            "other new some could time these two may then do first any my now such like our over man me even most made after also did many " +
            "before must through back years where much your way well down should because each just those people how too little state good " +
            "very make world still own see men work long get here between both life being under never day same another know while last might " +
            "us great old year off come since against go came right used take three Government London Tuesday Mr. O'Neil don't it's we'll").Split(' ');
        var rng = new Random(2024);
        var sb = new StringBuilder(bytes + 200);
        while (sb.Length < bytes)
        {
            int n = rng.Next(5, 20);
            for (int i = 0; i < n; i++)
            {
                string w = words[rng.Next(words.Length)];
                if (i == 0) w = char.ToUpperInvariant(w[0]) + w[1..];
                sb.Append(w);
                if (rng.Next(12) == 0) sb.Append(',');
                if (rng.Next(40) == 0) sb.Append(' ').Append(rng.Next(1, 100000));
                if (i + 1 < n) sb.Append(' ');
            }
            sb.Append(". ");
            if (rng.Next(8) == 0) sb.Append("\n\n");
        }
        return sb.ToString();
    }
}
