using System.Text.Json;
using Hearth.Numerics;
using Hearth.Tests.Encoders;

namespace Hearth.Tests.Cli;

public class EmbedCommandTests
{
    [Fact]
    public void Embed_json_gives_one_unit_vector_per_text_and_the_pooling()
    {
        string path = EncoderModels.Get("bert", GgmlType.F32, PoolingType.Mean);
        var r = CliRunner.Run("embed", "-m", path, "--text", "hello world", "--text", "a second text", "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        Assert.Equal("mean", doc.RootElement.GetProperty("pooling").GetString());
        var rows = doc.RootElement.GetProperty("embeddings");
        Assert.Equal(2, rows.GetArrayLength());
        using var model = Model.Load(path);
        var expected = model.Embed(["hello world", "a second text"]);
        for (int i = 0; i < 2; i++)
        {
            var v = rows[i].EnumerateArray().Select(e => e.GetSingle()).ToArray();
            Assert.Equal(EncoderModels.Embd, v.Length);
            Assert.Equal(1.0, Math.Sqrt(v.Sum(x => (double)x * x)), 4);
            for (int j = 0; j < v.Length; j++) Assert.Equal(expected[i][j], v[j], 5);
        }
    }

    [Fact]
    public void Rerank_json_lists_documents_by_score()
    {
        string path = EncoderModels.Get("bert", GgmlType.F32, PoolingType.Rank, rankHead: true);
        var r = CliRunner.Run("rerank", "-m", path, "--query", "what is a fox", "--doc", "a fox is an animal", "--doc", "stock prices", "--doc", "foxes", "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var results = doc.RootElement.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(3, results.Length);
        var scores = results.Select(e => e.GetProperty("relevance_score").GetDouble()).ToArray();
        Assert.Equal(scores.OrderByDescending(s => s), scores);
        Assert.Equal([0, 1, 2], results.Select(e => e.GetProperty("index").GetInt32()).Order());
    }

    [Fact]
    public void Rerank_with_a_chat_model_is_a_clear_error()
    {
        var r = CliRunner.Run("rerank", "--query", "q", "--doc", "d", "-m", TestData.PathOf("gguf/stories260K.gguf"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("is not a reranker", r.StdErr);
    }
}
