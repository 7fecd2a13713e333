using Hearth.AI;
using Hearth.Inference;
using Hearth.Sampling;
using Hearth.Tests.Cli;
using Microsoft.Extensions.AI;

namespace Hearth.Tests.Api;

/// <summary>The engine loop: batching of concurrent clients, continuation after LoadState, control tokens on every surface.</summary>
public class EngineTests
{
    private static readonly string[] Prompts = ["Once upon a time", "The dog", "Lily and Tom went to the park.", "One day, a little bird"];

    /// <summary>stories260K's BOS (<c>&lt;s&gt;</c>, a control token), pushed to the top so every sampled token is it.</summary>
    private static readonly Dictionary<int, float> AlwaysBos = new() { [1] = 100f };

    [Fact]
    public async Task Four_concurrent_chat_client_requests_share_one_forward_pass_per_step()
    {
        using var model = Stories.Load();
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 16 };
        using var client = new HearthChatClient(model, new HearthChatClientOptions { MaxSessions = 4, ContextSize = 256 });
        var sequential = new List<string>();
        foreach (string p in Prompts) sequential.Add((await client.GetResponseAsync([new ChatMessage(ChatRole.User, p)], options)).Text);

        var engine = model.Engine;
        // Steps are slowed so that the four requests are all waiting when the second step starts.
        engine.StepDelay = TimeSpan.FromMilliseconds(30);
        long passes0 = engine.DecodePasses, tokens0 = engine.DecodedTokens;
        var responses = await Task.WhenAll(Prompts.Select(p => client.GetResponseAsync([new ChatMessage(ChatRole.User, p)], options)));
        long passes = engine.DecodePasses - passes0, tokens = engine.DecodedTokens - tokens0;

        Assert.Equal(sequential, responses.Select(r => r.Text));
        long longest = responses.Max(r => r.Usage!.OutputTokenCount!.Value);
        long total = responses.Sum(r => r.Usage!.OutputTokenCount!.Value);
        // Sequentially the four would need about `total` decode passes; batched, about as many as the longest reply.
        Assert.True(passes <= longest + 1, $"{passes} decode passes for {tokens} tokens (longest reply {longest}, total {total})");
        Assert.True(tokens >= total - 4, $"{tokens} tokens decoded, {total} generated");
    }

    [Fact]
    public async Task Generation_continues_after_LoadState()
    {
        var (prompt, expected, _) = Stories.OnceUponATime();
        using var model = Stories.Load();
        var greedy = new GenerationOptions { MaxTokens = 8, Sampling = SamplerOptions.Greedy };
        using var session = model.CreateSession(256);
        session.Evaluate(prompt);
        var state = new MemoryStream();
        session.SaveState(state);
        using var restored = model.CreateSession(256);
        state.Position = 0;
        restored.LoadState(state);
        var tokens = new List<int>();
        await foreach (var t in restored.GenerateAsync("", greedy)) if (t.Id >= 0) tokens.Add(t.Id);
        Assert.Equal(expected[..8], tokens);
        var sync = model.CreateSession(256);
        state.Position = 0;
        sync.LoadState(state);
        var g = sync.CreateGenerator(ReadOnlySpan<int>.Empty, greedy);
        var syncTokens = new List<int>();
        while (g.MoveNext()) syncTokens.Add(g.Current);
        Assert.Equal(expected[..8], syncTokens);
    }

    [Fact]
    public async Task Control_tokens_never_reach_the_text_of_a_session_stream()
    {
        using var model = Stories.Load();
        using var session = model.CreateSession(64);
        var options = new GenerationOptions { MaxTokens = 5, Sampling = SamplerOptions.Greedy with { LogitBias = AlwaysBos } };
        var ids = new List<int>();
        string text = "";
        await foreach (var t in session.GenerateAsync("Once upon a time", options))
        {
            if (t.Id >= 0) ids.Add(t.Id);
            text += t.Text;
        }
        Assert.Equal([1, 1, 1, 1, 1], ids);
        Assert.Equal("", text);
    }

    [Fact]
    public void Control_tokens_never_reach_the_text_of_a_stepped_generator()
    {
        using var model = Stories.Load();
        using var session = model.CreateSession(64);
        var generator = new TokenGenerator(model, new GenerationOptions { MaxTokens = 3, Sampling = SamplerOptions.Greedy with { LogitBias = AlwaysBos } });
        session.Evaluate(new int[] { 1, 400 });
        var next = new int[1];
        while (generator.Step(session.Logits))
        {
            Assert.Equal(1, generator.Current);
            Assert.True(generator.CurrentText.IsEmpty);
            if (generator.FinishReason != null) break;
            next[0] = generator.Current;
            session.Evaluate(next);
        }
        Assert.Equal(FinishReason.Length, generator.FinishReason);
    }

    [Fact]
    public async Task Control_tokens_never_reach_the_text_of_a_chat_client_stream()
    {
        using var model = Stories.Load();
        using var client = new HearthChatClient(model);
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 5, AdditionalProperties = new() { ["logit_bias"] = AlwaysBos } };
        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], options)) updates.Add(u);
        var response = updates.ToChatResponse();
        Assert.Equal(5, response.Usage!.OutputTokenCount);
        Assert.Equal("", response.Text);
    }

    [Fact]
    public void Control_tokens_never_reach_the_text_of_hearth_run()
    {
        var run = CliRunner.Run("run", "-p", "Once upon a time", "-n", "4", "--temp", "0", "--json", "-t", "1", "--logit-bias", "1+100");
        Assert.True(run.ExitCode == 0, run.StdErr);
        using var doc = System.Text.Json.JsonDocument.Parse(run.StdOut);
        Assert.Equal([1, 1, 1, 1], doc.RootElement.GetProperty("tokens").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("", doc.RootElement.GetProperty("text").GetString());
        var plain = CliRunner.Run("run", "-p", "Once upon a time", "-n", "4", "--temp", "0", "-t", "1", "--logit-bias", "1+100");
        Assert.DoesNotContain("<s>", plain.StdOut, StringComparison.Ordinal);
    }
}
