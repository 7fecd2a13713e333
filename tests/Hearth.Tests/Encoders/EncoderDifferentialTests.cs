using Hearth.Numerics;

namespace Hearth.Tests.Encoders;

/// <summary>
/// Encoder models against llama.cpp on the same random-weight files: pooled embeddings (after Hearth's unit-length
/// scaling, the oracle's raw vector scaled the same way) and reranker scores.
/// Tolerances: F32 files agree to float noise (measured below 1e-4 per element of a unit vector); Q8_0 files quantize
/// the activations in both engines, the remaining difference is summation order (2e-3).
/// </summary>
public class EncoderDifferentialTests
{
    private static readonly string[] Texts =
    [
        "hello world",
        "The quick brown fox jumps over the lazy dog.",
        "a",
        "Embeddings map text to vectors; similar texts land close together, and rerankers score pairs.",
        "naïve café déjà vu — ünïcödé",
    ];

    [Theory]
    [InlineData("bert", GgmlType.F32, PoolingType.Mean, 1e-4)]
    [InlineData("bert", GgmlType.F32, PoolingType.Cls, 1e-4)]
    [InlineData("bert", GgmlType.Q8_0, PoolingType.Mean, 2e-3)]
    [InlineData("nomic-bert", GgmlType.F32, PoolingType.Mean, 1e-4)]
    [InlineData("nomic-bert", GgmlType.Q8_0, PoolingType.Cls, 2e-3)]
    [InlineData("jina-bert-v2", GgmlType.F32, PoolingType.Mean, 1e-4)]
    [InlineData("jina-bert-v2", GgmlType.Q8_0, PoolingType.Mean, 2e-3)]
    [InlineData("jina-bert-v2-fused", GgmlType.F32, PoolingType.Cls, 1e-4)]
    [InlineData("nomic-bert-moe", GgmlType.F32, PoolingType.Mean, 1e-4)]
    [InlineData("nomic-bert-moe", GgmlType.Q8_0, PoolingType.Mean, 2e-3)]
    [InlineData("modern-bert", GgmlType.F32, PoolingType.Mean, 1e-4)]
    [InlineData("modern-bert", GgmlType.F32, PoolingType.Cls, 1e-4)]
    [InlineData("modern-bert", GgmlType.Q8_0, PoolingType.Mean, 2e-3)]
    public void Pooled_embeddings_match_llama_cpp(string arch, GgmlType type, PoolingType pooling, double tolerance)
    {
        bool fused = arch.EndsWith("-fused", StringComparison.Ordinal);
        string path = EncoderModels.Get(fused ? arch[..^"-fused".Length] : arch, type, pooling, fused: fused);
        using var model = Model.Load(path, new ModelOptions { Threads = 2 });
        Assert.True(model.IsEncoder);
        Assert.Equal(pooling, model.Pooling);
        var tokens = Texts.Select(t => model.Tokenizer.Encode(t, addSpecial: true, parseSpecial: true)).ToArray();
        Assert.Equal(EncoderOracle.Tokenize(path, Texts[1]), tokens[1]);

        var hearth = model.Embed(Texts); // all five in one forward pass
        var llama = EncoderOracle.Pooled(path, tokens);
        for (int i = 0; i < Texts.Length; i++)
        {
            var expected = Normalize(llama[i]);
            Assert.Equal(expected.Length, hearth[i].Length);
            double maxDiff = 0;
            for (int j = 0; j < expected.Length; j++) maxDiff = Math.Max(maxDiff, Math.Abs(expected[j] - hearth[i][j]));
            Assert.True(maxDiff <= tolerance, $"text {i}: max element difference {maxDiff:E2} > {tolerance:E1}");
            Assert.True(Cosine(expected, hearth[i]) > 1 - tolerance, $"text {i}: cosine {Cosine(expected, hearth[i])}");
        }
    }

    [Theory]
    [InlineData("bert", GgmlType.F32, 1e-3)]
    [InlineData("bert", GgmlType.Q8_0, 2e-2)]
    [InlineData("jina-bert-v2", GgmlType.F32, 1e-3)]
    [InlineData("modern-bert", GgmlType.F32, 1e-3)]
    public void Rerank_scores_match_llama_cpp_and_keep_its_order(string arch, GgmlType type, double tolerance)
    {
        string path = EncoderModels.Get(arch, type, PoolingType.Rank, rankHead: true);
        using var model = Model.Load(path, new ModelOptions { Threads = 2 });
        Assert.Equal(PoolingType.Rank, model.Pooling);
        string query = "what is a fox";
        var docs = Texts;
        var scores = model.Rerank(query, docs);
        var pairs = docs.Select(d => model.RerankTokens(query, d)).ToArray();
        // [CLS] query [SEP] document: llama.cpp's server joins a pair this way for a WordPiece vocabulary (the test files
        // all carry the bge vocabulary).
        Assert.Equal(101, pairs[0][0]);
        Assert.Contains(102, pairs[0]);
        var llama = EncoderOracle.Pooled(path, pairs);
        for (int i = 0; i < docs.Length; i++)
        {
            Assert.True(Math.Abs(llama[i][0] - scores[i]) <= tolerance * Math.Max(1, Math.Abs(llama[i][0])),
                $"document {i}: llama.cpp {llama[i][0]}, Hearth {scores[i]}");
        }
        var order = Enumerable.Range(0, docs.Length).OrderByDescending(i => scores[i]).ToArray();
        var expectedOrder = Enumerable.Range(0, docs.Length).OrderByDescending(i => llama[i][0]).ToArray();
        Assert.Equal(expectedOrder, order);
    }

    [Fact]
    public void Batched_inputs_give_the_same_vectors_as_one_at_a_time()
    {
        string path = EncoderModels.Get("bert", GgmlType.F32, PoolingType.Mean);
        using var model = Model.Load(path, new ModelOptions { Threads = 2, BatchSize = 24 });
        var batched = model.Embed(Texts);
        for (int i = 0; i < Texts.Length; i++)
        {
            var alone = model.Embed(Texts[i]);
            for (int j = 0; j < alone.Length; j++) Assert.Equal(alone[j], batched[i][j], 5);
        }
    }

    [Fact]
    public void An_encoder_cannot_generate_and_a_decoder_cannot_rerank_and_say_so()
    {
        using var encoder = Model.Load(EncoderModels.Get("bert", GgmlType.F32, PoolingType.Mean));
        var e = Assert.Throws<NotSupportedException>(() => encoder.CreateSession());
        Assert.Contains("encoder model for embeddings and reranking", e.Message);
        var r = Assert.Throws<NotSupportedException>(() => encoder.Rerank("q", ["d"]));
        Assert.Contains("not a reranker", r.Message);
        // A reranker's "embedding" of an input is its score, as llama.cpp's embedding tool prints for rank pooling.
        using var ranker = Model.Load(EncoderModels.Get("bert", GgmlType.F32, PoolingType.Rank, rankHead: true));
        var rows = ranker.Embed(["what is a fox", "a fox is an animal"]);
        Assert.All(rows, r => Assert.Single(r));
        var pair = ranker.Rerank("what is a fox", ["a fox is an animal"]);
        Assert.NotEqual(pair[0], rows[0][0]);
    }

    private static float[] Normalize(float[] v)
    {
        double s = 0;
        foreach (float x in v) s += (double)x * x;
        return v.Select(x => (float)(x / Math.Sqrt(s))).ToArray();
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { dot += (double)a[i] * b[i]; na += (double)a[i] * a[i]; nb += (double)b[i] * b[i]; }
        return dot / Math.Sqrt(na * nb);
    }
}
