using System.ClientModel;
using System.Text;
using OpenAI.Chat;
using OpenAI.Embeddings;
using OpenAI.Models;

namespace Hearth.Server.Tests;

/// <summary>The official OpenAI .NET SDK against the real server, changing only the endpoint.</summary>
public sealed class OpenAiSdkTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private ChatClient Chat() => new(Servers.ModelId, Servers.Key(), Servers.SdkOptions(fixture.Server));

    [Fact]
    public async Task Chat_non_stream_returns_text_finish_reason_and_usage()
    {
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 12 };
        options.LogitBiases.Add(Servers.EosId, -100); // never end early, so exactly 12 tokens come back
        ChatCompletion c = await Chat().CompleteChatAsync([new SystemChatMessage("You tell stories."), new UserChatMessage("Tell me a story.")], options);
        Assert.Equal(ChatMessageRole.Assistant, c.Role);
        Assert.NotEmpty(c.Content[0].Text);
        Assert.Equal(ChatFinishReason.Length, c.FinishReason);
        Assert.Equal(12, c.Usage.OutputTokenCount);
        Assert.True(c.Usage.InputTokenCount > 10);
        Assert.Equal(c.Usage.InputTokenCount + c.Usage.OutputTokenCount, c.Usage.TotalTokenCount);
        Assert.Equal(Servers.ModelId, c.Model);
        Assert.StartsWith("chatcmpl-", c.Id, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_stream_yields_the_same_greedy_text_as_non_stream()
    {
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 30 };
        List<ChatMessage> messages = [new UserChatMessage("Once upon a time")];
        ChatCompletion whole = await Chat().CompleteChatAsync(messages, options);

        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        int updates = 0;
        await foreach (var update in Chat().CompleteChatStreamingAsync(messages, options))
        {
            updates++;
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }
        Assert.True(updates > 3, $"expected several chunks, got {updates}");
        Assert.Equal(whole.Content[0].Text, text.ToString());
        Assert.Equal(whole.FinishReason, finish);
        Assert.NotNull(usage); // the SDK asks for stream_options.include_usage
        Assert.Equal(whole.Usage.OutputTokenCount, usage.OutputTokenCount);
        Assert.Equal(whole.Usage.InputTokenCount, usage.InputTokenCount);
    }

    [Fact]
    public async Task Seeded_sampling_at_temperature_one_is_reproducible()
    {
        var options = new ChatCompletionOptions { Temperature = 1, Seed = 1234, MaxOutputTokenCount = 40 };
        List<ChatMessage> messages = [new UserChatMessage("Tom had a dog.")];
        string a = (await Chat().CompleteChatAsync(messages, options)).Value.Content[0].Text;
        string b = (await Chat().CompleteChatAsync(messages, options)).Value.Content[0].Text;
        Assert.Equal(a, b);
    }

    [Fact]
    public async Task Models_lists_the_served_model()
    {
        var client = new OpenAIModelClient(Servers.Key(), Servers.SdkOptions(fixture.Server));
        OpenAIModelCollection models = await client.GetModelsAsync();
        var model = Assert.Single(models);
        Assert.Equal(Servers.ModelId, model.Id);
        OpenAIModel one = await client.GetModelAsync(Servers.ModelId);
        Assert.Equal(Servers.ModelId, one.Id);
    }

    [Fact]
    public async Task Unknown_model_is_a_404_the_sdk_reports()
    {
        var client = new ChatClient("gpt-4o", Servers.Key(), Servers.SdkOptions(fixture.Server));
        var e = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(404, e.Status);
        Assert.Contains("gpt-4o", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embeddings_are_unit_length_mean_pooled_vectors_of_the_model_width()
    {
        var client = new EmbeddingClient(Servers.ModelId, Servers.Key(), Servers.SdkOptions(fixture.Server));
        OpenAIEmbeddingCollection result = await client.GenerateEmbeddingsAsync(["The cat sat.", "The cat sat.", "A big red ball."]);
        Assert.Equal(3, result.Count);
        var a = result[0].ToFloats().ToArray();
        var b = result[1].ToFloats().ToArray();
        var c = result[2].ToFloats().ToArray();
        Assert.Equal(64, a.Length); // stories260K: n_embd = 64 (testdata README)
        double norm = Math.Sqrt(a.Sum(x => (double)x * x));
        Assert.InRange(norm, 0.999, 1.001);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }
}
