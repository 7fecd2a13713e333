using Hearth.AI;
using Hearth.Inference;
using Microsoft.Extensions.AI;

namespace Hearth.Tests.Api;

/// <summary>
/// Use after dispose: every case throws <see cref="ObjectDisposedException"/> naming the disposed object, and the
/// process survives (before the reference-counted mapping, each ended in an AccessViolationException).
/// </summary>
public class LifetimeTests
{
    private static readonly GenerationOptions Greedy = new() { MaxTokens = 200, Sampling = Hearth.Sampling.SamplerOptions.Greedy with { LogitBias = new Dictionary<int, float> { [2] = -100 } } };

    private static void AssertNames<T>(ObjectDisposedException e) => Assert.Equal(typeof(T).FullName, e.ObjectName);

    [Fact]
    public void Embed_after_dispose_throws()
    {
        var model = Stories.Load();
        model.Dispose();
        AssertNames<Model>(Assert.Throws<ObjectDisposedException>(() => model.Embed("Once upon a time")));
        AssertNames<Model>(Assert.Throws<ObjectDisposedException>(() => model.Embed([1, 2, 3], new float[64])));
        AssertNames<Model>(Assert.Throws<ObjectDisposedException>(() => model.Tokenizer));
        AssertNames<Model>(Assert.Throws<ObjectDisposedException>(() => model.Config));
    }

    [Fact]
    public void A_session_whose_model_was_disposed_throws()
    {
        var model = Stories.Load();
        using var session = model.CreateSession(64);
        session.Evaluate([1, 400]);
        model.Dispose();
        AssertNames<Model>(Assert.Throws<ObjectDisposedException>(() => session.Evaluate([401])));
        AssertNames<Model>(Assert.Throws<ObjectDisposedException>(() => InferenceSession.DecodeBatch([session], [401])));
        AssertNames<Model>(Assert.Throws<ObjectDisposedException>(() => session.SaveState(new MemoryStream())));
    }

    [Fact]
    public void CreateSession_on_a_disposed_model_throws_and_dispose_is_idempotent()
    {
        var model = Stories.Load();
        model.Dispose();
        model.Dispose();
        AssertNames<Model>(Assert.Throws<ObjectDisposedException>(() => model.CreateSession()));
        AssertNames<Model>(Assert.Throws<ObjectDisposedException>(() => model.Engine));
    }

    [Fact]
    public async Task GenerateAsync_on_a_disposed_session_throws()
    {
        using var model = Stories.Load();
        var session = model.CreateSession(64);
        session.Dispose();
        session.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () =>
        {
            await foreach (var _ in session.GenerateAsync("Once upon a time")) { }
        });
        AssertNames<InferenceSession>(Assert.Throws<ObjectDisposedException>(() => session.Position));
        AssertNames<InferenceSession>(Assert.Throws<ObjectDisposedException>(() => session.CreateGenerator("x")));
    }

    [Fact]
    public async Task Disposing_the_model_while_streaming_ends_the_stream_with_ObjectDisposedException()
    {
        var model = Stories.Load();
        model.Engine.StepDelay = TimeSpan.FromMilliseconds(10); // the stream is still going when the model goes away
        using var session = model.CreateSession(256);
        int seen = 0;
        var e = await Assert.ThrowsAsync<ObjectDisposedException>(async () =>
        {
            await foreach (var _ in session.GenerateAsync("Once upon a time", Greedy))
            {
                if (++seen == 2) model.Dispose();
            }
        });
        AssertNames<Model>(e);
        Assert.True(seen < 200);
    }

    [Fact]
    public async Task HearthChatClient_over_a_disposed_model_throws()
    {
        var model = Stories.Load();
        using var client = new HearthChatClient(model);
        model.Dispose();
        var e = await Assert.ThrowsAsync<ObjectDisposedException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]));
        AssertNames<Model>(e);
        AssertNames<Model>(Assert.Throws<ObjectDisposedException>(() => new HearthChatClient(model)));
    }

    [Fact]
    public async Task Disposing_the_model_while_a_client_streams_ends_the_stream()
    {
        var model = Stories.Load();
        model.Engine.StepDelay = TimeSpan.FromMilliseconds(10); // the stream is still going when the model goes away
        using var client = new HearthChatClient(model);
        int seen = 0;
        await Assert.ThrowsAsync<ObjectDisposedException>(async () =>
        {
            var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 200 };
            await foreach (var _ in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Once upon a time")], options))
            {
                if (++seen == 2) model.Dispose();
            }
        });
    }

    [Fact]
    public async Task A_disposed_client_names_itself()
    {
        using var model = Stories.Load();
        var client = new HearthChatClient(model);
        client.Dispose();
        client.Dispose();
        var e = await Assert.ThrowsAsync<ObjectDisposedException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]));
        AssertNames<HearthChatClient>(e);
        AssertNames<HearthChatClient>(Assert.Throws<ObjectDisposedException>(() => client.GetService(typeof(Model))));
        AssertNames<HearthChatClient>(Assert.Throws<ObjectDisposedException>(() => client.ModelId));
        // The model is still usable by others.
        Assert.NotEmpty(model.Embed("Once upon a time"));
    }

    [Fact]
    public async Task A_disposed_embedding_generator_and_one_over_a_disposed_model_throw()
    {
        var model = Stories.Load();
        var generator = new HearthEmbeddingGenerator(model);
        var other = new HearthEmbeddingGenerator(model);
        generator.Dispose();
        AssertNames<HearthEmbeddingGenerator>(await Assert.ThrowsAsync<ObjectDisposedException>(() => generator.GenerateAsync(["x"])));
        model.Dispose();
        AssertNames<Model>(await Assert.ThrowsAsync<ObjectDisposedException>(() => other.GenerateAsync(["x"])));
        other.Dispose();
    }

    [Fact]
    public async Task A_disposed_chat_session_throws()
    {
        using var model = Stories.Load();
        var chat = new ChatSession(model, contextSize: 128);
        chat.Dispose();
        chat.Dispose();
        AssertNames<ChatSession>(Assert.Throws<ObjectDisposedException>(() => chat.History));
        AssertNames<ChatSession>(await Assert.ThrowsAsync<ObjectDisposedException>(() => chat.SendAndWaitAsync("hi")));
    }

    [Fact]
    public async Task Disposing_a_chat_sessions_model_while_it_streams_ends_the_stream()
    {
        var model = Stories.Load();
        model.Engine.StepDelay = TimeSpan.FromMilliseconds(10); // the stream is still going when the model goes away
        using var chat = new ChatSession(model, contextSize: 256);
        int seen = 0;
        await Assert.ThrowsAsync<ObjectDisposedException>(async () =>
        {
            await foreach (var _ in chat.SendAsync("Once upon a time", Greedy))
            {
                if (++seen == 2) model.Dispose();
            }
        });
        Assert.Empty(chat.History); // the turn did not complete
    }
}
