using Hearth.Numerics;

namespace Hearth.Tests.Oracle;

/// <summary>The factory's files are real models to llama.cpp: it reads the shapes, vocabulary and rope style we meant.</summary>
public sealed class TestModelFactoryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("hearth-factory-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(TestModelSpec spec)
    {
        string path = Path.Combine(_directory, spec.Name + ".gguf");
        TestModelFactory.Write(spec, path);
        return path;
    }

    [Theory]
    [InlineData("llama", 0, false)]
    [InlineData("qwen2", 0, true)]
    [InlineData("qwen3", 96, false)]
    public void Llama_cpp_reads_the_written_hyperparameters(string arch, int headDim, bool tied)
    {
        var spec = new TestModelSpec($"{arch}-shape", arch, GgmlType.Q8_0, EmbeddingLength: 576, FeedForwardLength: 96,
            HeadCount: 6, HeadCountKv: 3, HeadDim: headDim, VocabSize: 301, TiedOutput: tied);
        using var oracle = LlamaCppOracle.Load(Write(spec), contextSize: 16);
        Assert.Equal(301, oracle.VocabSize);
        Assert.Equal((576, 2, 6, 3, arch != "llama"), oracle.Shape);
        Assert.Equal(301, oracle.Evaluate([1, 2, 300]).Length);
    }

    [Fact]
    public void Llama_cpp_tokenizes_with_the_synthetic_vocabulary()
    {
        var spec = new TestModelSpec("vocab", "llama", GgmlType.F32, EmbeddingLength: 64, FeedForwardLength: 64, VocabSize: 420);
        var (tokens, _, _) = SyntheticVocabulary.Build(spec.VocabSize);
        using var oracle = LlamaCppOracle.Load(Write(spec), contextSize: 16);
        int ta = Array.IndexOf(tokens, "\u2581ta");
        Assert.True(ta >= SyntheticVocabulary.FirstPiece);
        // SentencePiece: BOS, "▁ta" as one piece, then the newline through byte fallback (<0x0A> = 3 + 10).
        Assert.Equal([SyntheticVocabulary.Bos, ta, SyntheticVocabulary.FirstByte + 10], oracle.Tokenize("ta\n", addSpecial: true, parseSpecial: false));
        Assert.Equal([SyntheticVocabulary.Bos, SyntheticVocabulary.Eos], oracle.Tokenize("<s></s>", addSpecial: false, parseSpecial: true));
    }

    [Fact]
    public void Hearth_reads_the_written_hyperparameters()
    {
        var spec = new TestModelSpec("hearth-shape", "qwen3", GgmlType.Q4_K, EmbeddingLength: 256, FeedForwardLength: 512,
            HeadCount: 4, HeadCountKv: 2, HeadDim: 64, VocabSize: 299);
        using var model = Model.Load(Write(spec));
        var c = model.Config;
        Assert.Equal(("qwen3", 256, 2, 512, 4, 2, 64, 299),
            (c.Architecture, c.EmbeddingLength, c.BlockCount, c.FeedForwardLength, c.HeadCount, c.HeadCountKv, c.HeadDim, c.VocabSize));
    }

    [Fact]
    public void Same_spec_gives_the_same_bytes_and_another_seed_does_not()
    {
        var spec = new TestModelSpec("seeded", "qwen2", GgmlType.Q4_0, EmbeddingLength: 64, FeedForwardLength: 64, VocabSize: 300);
        byte[] a = File.ReadAllBytes(Write(spec));
        byte[] b = File.ReadAllBytes(Write(spec));
        byte[] c = File.ReadAllBytes(Write(spec with { Seed = 2 }));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Rows_that_do_not_fit_the_block_size_are_rejected_with_the_reason()
    {
        var spec = new TestModelSpec("bad-kquant", "llama", GgmlType.Q4_K); // n_embd 128 < 256
        var e = Assert.Throws<ArgumentException>(() => TestModelFactory.Write(spec, Path.Combine(_directory, "bad.gguf")));
        Assert.Contains("n_embd = 128 is not a multiple of Q4_K's block size 256", e.Message);
        Assert.False(File.Exists(Path.Combine(_directory, "bad.gguf")));
    }

    [Fact]
    public void Too_small_vocabulary_is_rejected_with_the_reason()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticVocabulary.Build(100));
        Assert.Contains("at least 259 tokens", e.Message);
    }
}
