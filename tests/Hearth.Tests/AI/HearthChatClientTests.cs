using System.Diagnostics;
using System.Text.Json;
using Hearth.AI;
using Hearth.Chat;
using Hearth.Tests.Api;
using Microsoft.Extensions.AI;

namespace Hearth.Tests.AI;

/// <summary>The cases of Microsoft.Extensions.AI's chat-client conformance expectations that apply to a local model.</summary>
public class HearthChatClientTests
{
    private static ChatOptions Greedy(int maxTokens = 16) => new() { Temperature = 0, MaxOutputTokens = maxTokens };

    private static List<ChatMessage> Conversation(string user) => [new(ChatRole.User, user)];

    [Fact]
    public async Task Streaming_and_non_streaming_agree_for_greedy()
    {
        using var model = Stories.Load();
        using var client = new HearthChatClient(model);
        var response = await client.GetResponseAsync(Conversation("Once upon a time"), Greedy());
        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in client.GetStreamingResponseAsync(Conversation("Once upon a time"), Greedy())) updates.Add(u);
        var streamed = updates.ToChatResponse();

        Assert.NotEmpty(response.Text);
        Assert.Equal(response.Text, streamed.Text);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal(response.FinishReason, streamed.FinishReason);
        Assert.Equal(response.Usage!.InputTokenCount, streamed.Usage!.InputTokenCount);
        Assert.Equal(response.Usage.OutputTokenCount, streamed.Usage.OutputTokenCount);
        Assert.True(updates.Count > 2, "the reply was not streamed");
        Assert.Equal(ChatRole.Assistant, response.Messages[0].Role);
    }

    [Fact]
    public async Task Usage_counts_equal_the_tokenizers_counts()
    {
        using var model = Stories.Load();
        using var client = new HearthChatClient(model);
        var messages = new List<ChatMessage> { new(ChatRole.System, "You tell stories."), new(ChatRole.User, "Once upon a time") };
        var response = await client.GetResponseAsync(messages, Greedy(10));

        var rendered = ChatTemplate.Default.Render(new ChatTemplateContext
        {
            Messages = [ChatTemplateMessage.System("You tell stories."), ChatTemplateMessage.User("Once upon a time")],
            AddGenerationPrompt = true,
            BosToken = "<s>",
        }, ChatTemplateOptions.LlamaCpp);
        Assert.Equal(model.Tokenizer.Encode(rendered, addSpecial: true, parseSpecial: true).Length, response.Usage!.InputTokenCount);
        Assert.Equal(10, response.Usage.OutputTokenCount);
        Assert.Equal(response.Usage.InputTokenCount + 10, response.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task Second_turn_reuses_the_cached_prefix()
    {
        using var model = Stories.Load();
        using var client = new HearthChatClient(model, new HearthChatClientOptions { MaxSessions = 2 });
        var history = Conversation("Once upon a time");
        var first = await client.GetResponseAsync(history, Greedy(8));
        Assert.Equal(first.Usage!.InputTokenCount, client.LastEvaluatedPromptTokens);
        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.User, "And then?"));

        var second = await client.GetResponseAsync(history, Greedy(8));
        long input = second.Usage!.InputTokenCount!.Value;
        Assert.True(second.Usage.CachedInputTokenCount >= first.Usage.InputTokenCount - 1);
        Assert.Equal(input - second.Usage.CachedInputTokenCount, client.LastEvaluatedPromptTokens);
        Assert.True(client.LastEvaluatedPromptTokens < input - first.Usage.InputTokenCount + 2,
            $"evaluated {client.LastEvaluatedPromptTokens} of {input} prompt tokens");
    }

    [Fact]
    public async Task Cancellation_throws_promptly()
    {
        using var model = Stories.Load();
        using var client = new HearthChatClient(model);
        using var cts = new CancellationTokenSource();
        var sw = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in client.GetStreamingResponseAsync(Conversation("Once upon a time"), Greedy(2000), cts.Token))
            {
                await cts.CancelAsync();
                sw.Restart();
            }
        });
        Assert.True(sw.ElapsedMilliseconds < 1000, $"took {sw.ElapsedMilliseconds} ms after cancellation");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync(Conversation("Hi"), Greedy(), new CancellationToken(true)));
        // The session went back to the pool: the client still works.
        Assert.NotEmpty((await client.GetResponseAsync(Conversation("Once upon a time"), Greedy(4))).Text);
    }

    [Fact]
    public async Task Concurrent_calls_from_several_threads_succeed()
    {
        using var model = Stories.Load(threads: 2);
        using var client = new HearthChatClient(model, new HearthChatClientOptions { MaxSessions = 2 });
        string expected = (await client.GetResponseAsync(Conversation("Once upon a time"), Greedy(20))).Text;
        var tasks = Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            if (i % 2 == 0) return (await client.GetResponseAsync(Conversation("Once upon a time"), Greedy(20))).Text;
            var updates = new List<ChatResponseUpdate>();
            await foreach (var u in client.GetStreamingResponseAsync(Conversation("Once upon a time"), Greedy(20))) updates.Add(u);
            return updates.ToChatResponse().Text;
        })).ToArray();
        var texts = await Task.WhenAll(tasks);
        Assert.All(texts, t => Assert.Equal(expected, t));
    }

    [Fact]
    public async Task Json_schema_response_format_parses_and_validates()
    {
        using var model = Stories.Load();
        using var client = new HearthChatClient(model);
        var schema = JsonDocument.Parse("""
            {"type":"object","properties":{"name":{"enum":["Lily","Tom"]},"happy":{"type":"boolean"}},
             "required":["name","happy"],"additionalProperties":false}
            """).RootElement;
        var options = new ChatOptions { Temperature = 0.8f, Seed = 7, MaxOutputTokens = 64, ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "story") };
        var response = await client.GetResponseAsync(Conversation("Once upon a time"), options);
        using var doc = JsonDocument.Parse(response.Text);
        Assert.Contains(doc.RootElement.GetProperty("name").GetString(), new[] { "Lily", "Tom" });
        Assert.True(doc.RootElement.GetProperty("happy").ValueKind is JsonValueKind.True or JsonValueKind.False);
        Assert.Equal(2, doc.RootElement.EnumerateObject().Count());
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
    }

    [Fact]
    public async Task Json_response_format_gives_json()
    {
        using var model = Stories.Load();
        using var client = new HearthChatClient(model);
        // The reply must be an object (OpenAI's json_object mode). stories260K writes stories into the keys and never
        // closes an object by itself, so '}' (the byte token <0x7D>, id 128) is favoured to let the object end.
        var options = new ChatOptions
        {
            Temperature = 0.8f, Seed = 3, MaxOutputTokens = 200, ResponseFormat = ChatResponseFormat.Json,
            AdditionalProperties = new() { ["logit_bias"] = new Dictionary<int, float> { [128] = 15f } },
        };
        var response = await client.GetResponseAsync(Conversation("Once upon a time"), options);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        using var doc = JsonDocument.Parse(response.Text);
        Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind); // as OpenAI's json_object mode, never a bare value
        Assert.NotNull(response.Messages[0].MessageId);
    }

    [Fact]
    public async Task Stop_sequences_end_the_reply()
    {
        using var model = Stories.Load();
        using var client = new HearthChatClient(model);
        string full = (await client.GetResponseAsync(Conversation("Once upon a time"), Greedy(40))).Text;
        string stop = full.Substring(full.Length / 2, 3);
        var options = Greedy(40);
        options.StopSequences = [stop];
        var response = await client.GetResponseAsync(Conversation("Once upon a time"), options);
        Assert.Equal(full[..full.IndexOf(stop, StringComparison.Ordinal)], response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
    }

    [Fact]
    public async Task Seed_makes_sampling_repeatable()
    {
        using var model = Stories.Load();
        using var client = new HearthChatClient(model);
        var options = new ChatOptions { Temperature = 1.0f, TopK = 20, TopP = 0.9f, Seed = 1234, MaxOutputTokens = 24 };
        var a = await client.GetResponseAsync(Conversation("Once upon a time"), options);
        var b = await client.GetResponseAsync(Conversation("Once upon a time"), options);
        Assert.Equal(a.Text, b.Text);
    }

    [Fact]
    public void Metadata_is_available()
    {
        using var model = Stories.Load();
        using var client = new HearthChatClient(model, new HearthChatClientOptions { ModelId = "stories" });
        var metadata = client.GetService<ChatClientMetadata>();
        Assert.Equal("hearth", metadata!.ProviderName);
        Assert.Equal("stories", metadata.DefaultModelId);
        Assert.Same(client, client.GetService<HearthChatClient>());
    }
}
