using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Server.Tests;

/// <summary><c>POST /v1/rerank</c> in llama-server's (Jina/Cohere) shape, against the library's <see cref="Model.Rerank"/>.</summary>
public sealed class RerankTests
{
    private static readonly string[] Docs = ["The cat sat on the mat.", "Once upon a time there was a dog.", "Lily liked to play in the park.", "The sun is hot."];

    /// <summary>stories260K made a reranker: rank pooling and a one-output classification head of random weights.</summary>
    private static string RerankerFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"hearth-rerank-{Environment.ProcessId}.gguf");
        using var src = GgufFile.Open(Servers.ModelPath);
        var w = GgufWriter.From(src);
        w.SetMetadata("llama.pooling_type", GgufValue.UInt32(4));
        int embd = checked((int)src.FindTensor("token_embd.weight")!.Columns);
        var rng = new Random(5);
        var head = new float[embd];
        for (int i = 0; i < embd; i++) head[i] = (float)(rng.NextDouble() - 0.5);
        w.AddTensor("cls.output.weight", GgmlType.F32, [embd, 1], MemoryMarshal.AsBytes(head.AsSpan()).ToArray());
        w.WriteTo(path);
        return path;
    }

    [Fact]
    public async Task Rerank_orders_documents_by_the_models_scores()
    {
        string path = RerankerFile();
        try
        {
            float[] expected;
            using (var model = Model.Load(path)) expected = model.Rerank("a dog story", Docs);
            await using var server = await Servers.StartAsync(new HearthServerOptions { ModelPath = path, Port = 0, Parallel = 1, ContextSize = 128, ModelId = "ranker" });
            using var http = Servers.Client(server);
            string body = JsonSerializer.Serialize(new { model = "ranker", query = "a dog story", documents = Docs, top_n = 3, return_documents = true });
            using var response = await Servers.PostAsync(http, "v1/rerank", body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var results = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
            Assert.Equal(3, results.Count);
            int[] order = [.. Enumerable.Range(0, Docs.Length).OrderByDescending(i => expected[i])];
            for (int r = 0; r < 3; r++)
            {
                int index = results[r].GetProperty("index").GetInt32();
                Assert.Equal(order[r], index);
                Assert.Equal(expected[index], results[r].GetProperty("relevance_score").GetSingle(), 1e-5f);
                Assert.Equal(Docs[index], results[r].GetProperty("document").GetProperty("text").GetString());
            }
            Assert.True(doc.RootElement.GetProperty("usage").GetProperty("total_tokens").GetInt32() > 0);

            using var alias = await Servers.PostAsync(http, "rerank", """{"query":"q","documents":[{"text":"a"},"b"]}""");
            Assert.Equal(HttpStatusCode.OK, alias.StatusCode);
            using var empty = await Servers.PostAsync(http, "v1/rerank", """{"query":"q","documents":[]}""");
            Assert.Equal("documents", (await Servers.ErrorOf(empty)).GetProperty("param").GetString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_model_that_is_not_a_reranker_is_a_clear_400()
    {
        await using var server = await Servers.StartAsync(new HearthServerOptions { ModelPath = Servers.ModelPath, Port = 0, Parallel = 1, ContextSize = 128 });
        using var http = Servers.Client(server);
        using var response = await Servers.PostAsync(http, "v1/rerank", """{"query":"q","documents":["a"]}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("model_not_reranker", (await Servers.ErrorOf(response)).GetProperty("code").GetString());
    }
}
