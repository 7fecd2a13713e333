using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Tests.Encoders;

/// <summary>
/// Decoder embedding and reranking models (Qwen3-Embedding's last-token pooling, Qwen3-Reranker's yes/no head) against
/// llama.cpp on the same random-weight qwen3 files: pooled vectors (Hearth's unit-length output against the oracle's raw
/// vector scaled the same way) and rank scores (P(yes) after the softmax over the head's two outputs).
/// Tolerances: both engines keep the KV cache in F16, so F32 files agree to about 1e-4 per element of a unit vector
/// (bound 5e-4); Q8_0 files also quantize the activations, the rest is summation order (bound 3e-3). Scores are
/// probabilities: the same bounds, absolute.
/// </summary>
public class DecoderEmbeddingDifferentialTests
{
    private static readonly string[] Texts =
    [
        "hello world",
        "the quick brown fox jumps over the lazy dog",
        "a",
        "embeddings map text to vectors and similar texts land close together while rerankers score pairs of texts",
        "naïve café",
    ];

    [Theory]
    [InlineData(GgmlType.F32, PoolingType.Last, 5e-4)]
    [InlineData(GgmlType.Q8_0, PoolingType.Last, 3e-3)]
    [InlineData(GgmlType.F32, PoolingType.Mean, 5e-4)]
    [InlineData(GgmlType.F32, PoolingType.Cls, 5e-4)]
    public void Pooled_decoder_embeddings_match_llama_cpp(GgmlType type, PoolingType pooling, double tolerance)
    {
        string path = DecoderEmbeddingModels.Get(type, pooling);
        using var model = Model.Load(path, new ModelOptions { Threads = 2 });
        Assert.False(model.IsEncoder);
        Assert.Equal(pooling, model.Pooling);
        var tokens = Texts.Select(t => model.Tokenizer.Encode(t, addSpecial: true, parseSpecial: true)).ToArray();
        Assert.Equal(EncoderOracle.Tokenize(path, Texts[1]), tokens[1]);
        if (pooling == PoolingType.Last) Assert.All(tokens, t => Assert.Equal(model.Tokenizer.EosId, t[^1]));

        var hearth = model.Embed(Texts);
        var llama = EncoderOracle.Pooled(path, tokens);
        for (int i = 0; i < Texts.Length; i++)
        {
            var expected = Normalize(llama[i].AsSpan(0, DecoderEmbeddingModels.Embd).ToArray());
            Assert.Equal(expected.Length, hearth[i].Length);
            double maxDiff = 0;
            for (int j = 0; j < expected.Length; j++) maxDiff = Math.Max(maxDiff, Math.Abs(expected[j] - hearth[i][j]));
            Assert.True(maxDiff <= tolerance, $"text {i}: max element difference {maxDiff:E2} > {tolerance:E1}");
        }
        // Different texts give different vectors (the pooling read real states, not a constant); with causal attention
        // the first token (BOS) sees only itself, so cls pooling gives every text the same vector, as in llama.cpp.
        if (pooling != PoolingType.Cls) Assert.True(Math.Abs(hearth[0].Zip(hearth[1], (a, b) => (double)a * b).Sum()) < 0.999);
    }

    [Theory]
    [InlineData(GgmlType.F32, 5e-4)]
    [InlineData(GgmlType.Q8_0, 3e-3)]
    public void Qwen3_reranker_scores_match_llama_cpp_and_keep_its_order(GgmlType type, double tolerance)
    {
        string path = DecoderEmbeddingModels.Get(type, PoolingType.Rank);
        using var model = Model.Load(path, new ModelOptions { Threads = 2 });
        Assert.Equal(PoolingType.Rank, model.Pooling);
        string query = "what is a fox";
        var scores = model.Rerank(query, Texts);
        var pairs = Texts.Select(d => model.RerankTokens(query, d)).ToArray();
        // The file's rerank template, special tokens parsed: "<s>" becomes BOS, nothing else is added.
        var prompt = DecoderEmbeddingModels.RerankTemplate.Replace("{query}", query).Replace("{document}", Texts[0]);
        Assert.Equal(model.Tokenizer.Encode(prompt, addSpecial: false, parseSpecial: true), pairs[0]);
        Assert.Equal(model.Tokenizer.BosId, pairs[0][0]);
        var llama = EncoderOracle.Pooled(path, pairs);
        for (int i = 0; i < Texts.Length; i++)
        {
            Assert.InRange(scores[i], 0f, 1f);
            Assert.True(Math.Abs(llama[i][0] - scores[i]) <= tolerance, $"document {i}: llama.cpp {llama[i][0]}, Hearth {scores[i]}");
        }
        var order = Enumerable.Range(0, Texts.Length).OrderByDescending(i => scores[i]).ToArray();
        var expectedOrder = Enumerable.Range(0, Texts.Length).OrderByDescending(i => llama[i][0]).ToArray();
        Assert.Equal(expectedOrder, order);
        // As an embedding, each input gives P(yes) and P(no).
        var rows = model.Embed(["what is a fox"]);
        Assert.Equal(2, rows[0].Length);
        Assert.Equal(1.0, rows[0][0] + rows[0][1], 5);
    }

    [Fact]
    public void Inputs_straddling_batches_give_the_same_vectors_as_one_at_a_time()
    {
        string path = DecoderEmbeddingModels.Get(GgmlType.F32, PoolingType.Last);
        using var model = Model.Load(path, new ModelOptions { Threads = 2, BatchSize = 7 });
        var batched = model.Embed(Texts);
        for (int i = 0; i < Texts.Length; i++)
        {
            var alone = model.Embed(Texts[i]);
            for (int j = 0; j < alone.Length; j++) Assert.True(Math.Abs(alone[j] - batched[i][j]) < 1e-5, $"text {i}[{j}]: {alone[j]} alone, {batched[i][j]} batched");
        }
        var ids = model.Tokenizer.Encode(Texts[3], addSpecial: true, parseSpecial: true);
        var fromIds = new float[model.EmbeddingDimensions];
        model.Embed(ids, fromIds);
        for (int j = 0; j < fromIds.Length; j++) Assert.True(Math.Abs(batched[3][j] - fromIds[j]) < 1e-5);
    }

    [Fact]
    public void A_chat_model_stating_no_pooling_is_mean_pooled_and_cannot_rerank()
    {
        using var model = Model.Load(DecoderEmbeddingModels.Get(GgmlType.F32, pooling: null));
        Assert.Equal(PoolingType.Mean, model.Pooling);
        var e = Assert.Throws<NotSupportedException>(() => model.Rerank("q", ["d"]));
        Assert.Contains("not a reranker", e.Message);
    }

    [Fact]
    public void A_rank_pooling_decoder_without_a_head_fails_to_load_and_says_what_is_missing()
    {
        var e = Assert.Throws<ModelConfigurationException>(() => Model.Load(DecoderEmbeddingModels.Get(GgmlType.F32, PoolingType.Rank, head: false)));
        Assert.Contains("cls.output.weight", e.Message);
    }

    private static float[] Normalize(float[] v)
    {
        double s = 0;
        foreach (float x in v) s += (double)x * x;
        return v.Select(x => (float)(x / Math.Sqrt(s))).ToArray();
    }
}
