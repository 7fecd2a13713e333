using Hearth.Tests.Tokenization;

namespace Hearth.Tests.Cli;

/// <summary>`hearth tokenize` on vocabulary-only GGUF files, checked against llama.cpp's recorded token ids.</summary>
public class TokenizeCommandTests
{
    private static readonly string SpmVocab = TestData.PathOf("vocab/ggml-vocab-llama-spm.gguf");

    private static TokenizerVectors.Case Vector(string vocabPath, string text) =>
        TokenizerVectors.Load(vocabPath).First(c => c.Text == text);

    [Fact]
    public void Json_prints_exactly_the_token_list_with_bos()
    {
        var c = Vector(SpmVocab, "Hello world");
        var r = CliRunner.Run("tokenize", "-m", SpmVocab, "--text", c.Text, "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal("{\"tokens\":[" + string.Join(',', new[] { 1 }.Concat(c.Expected)) + "]}\n", r.StdOut);
    }

    [Fact]
    public void No_bos_gives_llama_cpp_vector_ids_on_a_bpe_vocab()
    {
        string vocab = TestData.PathOf("vocab/ggml-vocab-gpt-2.gguf");
        var c = Vector(vocab, " Hello world");
        var r = CliRunner.Run("tokenize", "-m", vocab, "--text", c.Text, "--no-bos", "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal("{\"tokens\":[" + string.Join(',', c.Expected) + "]}\n", r.StdOut);
    }

    [Fact]
    public void Plain_output_is_one_line_per_token_with_its_piece()
    {
        var c = Vector(SpmVocab, "Hello world");
        var r = CliRunner.Run("tokenize", "-m", SpmVocab, "--text", "Hello world", "--no-bos");
        Assert.True(r.ExitCode == 0, r.StdErr);
        string[] lines = r.StdOut.TrimEnd('\n').Split('\n');
        Assert.Equal(c.Expected.Length, lines.Length);
        Assert.Equal($"{c.Expected[0]} ' Hello'", lines[0]);
        Assert.Equal($"{c.Expected[1]} ' world'", lines[1]);
    }

    [Fact]
    public void File_input_tokenizes_the_file_contents()
    {
        var c = TokenizerVectors.Load(SpmVocab).First(v => v.Text.Contains('\n') && v.Expected.Length > 0);
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, c.Text, new System.Text.UTF8Encoding(false));
            var r = CliRunner.Run("tokenize", "-m", SpmVocab, "--file", path, "--no-bos", "--json");
            Assert.True(r.ExitCode == 0, r.StdErr);
            Assert.Equal("{\"tokens\":[" + string.Join(',', c.Expected) + "]}\n", r.StdOut);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Special_parses_control_token_text()
    {
        var plain = CliRunner.Run("tokenize", "-m", SpmVocab, "--text", "</s>", "--no-bos", "--json");
        var special = CliRunner.Run("tokenize", "-m", SpmVocab, "--text", "</s>", "--no-bos", "--special", "--json");
        Assert.Equal("{\"tokens\":[2]}\n", special.StdOut); // </s> is id 2 in the llama vocabulary
        Assert.NotEqual(special.StdOut, plain.StdOut);
    }

    [Fact]
    public void Text_or_file_is_required()
    {
        var r = CliRunner.Run("tokenize", "-m", SpmVocab);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("--text", r.StdErr);
    }

    [Fact]
    public void Unknown_tokenizer_model_is_a_clear_error()
    {
        string path = Path.GetTempFileName();
        try
        {
            using (var src = Hearth.Gguf.GgufFile.Open(SpmVocab))
            {
                var w = Hearth.Gguf.GgufWriter.From(src);
                w.SetMetadata("tokenizer.ggml.model", Hearth.Gguf.GgufValue.String("no-such-tokenizer"));
                w.WriteTo(path);
            }
            var r = CliRunner.Run("tokenize", "-m", path, "--text", "hi");
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("'no-such-tokenizer'", r.StdErr);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
