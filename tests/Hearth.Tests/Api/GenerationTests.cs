using System.Text;
using Hearth.Inference;
using Hearth.Sampling;

namespace Hearth.Tests.Api;

public class GenerationTests
{
    private static readonly GenerationOptions Greedy64 = new() { MaxTokens = 64, Sampling = SamplerOptions.Greedy };

    [Fact]
    public async Task GenerateAsync_greedy_matches_llama_cpp_tokens_and_text()
    {
        var (_, expectedTokens, expectedText) = Stories.OnceUponATime();
        using var model = Stories.Load();
        using var session = model.CreateSession(256);
        var ids = new List<int>();
        var text = new StringBuilder();
        await foreach (var t in session.GenerateAsync("Once upon a time", Greedy64))
        {
            ids.Add(t.Id);
            text.Append(t.Text);
        }
        Assert.Equal(expectedTokens, ids);
        Assert.Equal(expectedText, text.ToString());
    }

    [Fact]
    public void Generator_reports_length_finish_and_counts()
    {
        var (prompt, expected, _) = Stories.OnceUponATime();
        using var model = Stories.Load();
        using var session = model.CreateSession(256);
        var g = session.CreateGenerator(prompt, Greedy64 with { MaxTokens = 10 });
        var ids = new List<int>();
        while (g.MoveNext()) ids.Add(g.Current);
        Assert.Equal(expected[..10], ids);
        Assert.Equal(FinishReason.Length, g.FinishReason);
        Assert.Equal(prompt.Length, g.PromptTokenCount);
        Assert.Equal(10, g.GeneratedTokenCount);
        // The last token is not fed back: the cache holds the prompt and the first nine generated tokens.
        Assert.Equal([.. prompt, .. expected[..9]], session.Tokens.ToArray());
        Assert.False(g.MoveNext());
    }

    [Fact]
    public async Task Stop_string_ends_the_text_before_it()
    {
        var (_, _, expectedText) = Stories.OnceUponATime();
        using var model = Stories.Load();
        using var session = model.CreateSession(256);
        var g = session.CreateGenerator("Once upon a time", Greedy64 with { StopStrings = ["Lily"] });
        var text = new StringBuilder();
        while (g.MoveNext()) text.Append(g.CurrentText);
        Assert.Equal(FinishReason.StopString, g.FinishReason);
        Assert.Equal(expectedText[..expectedText.IndexOf("Lily", StringComparison.Ordinal)], text.ToString());
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Cancellation_throws_OperationCanceledException()
    {
        using var model = Stories.Load();
        using var session = model.CreateSession(256);
        using var cts = new CancellationTokenSource();
        int seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in session.GenerateAsync("Once upon a time", Greedy64, cts.Token))
            {
                if (++seen == 3) await cts.CancelAsync();
            }
        });
        Assert.Equal(3, seen);
    }

    [Fact]
    public void Continuation_appends_to_the_session()
    {
        var (prompt, expected, _) = Stories.OnceUponATime();
        using var model = Stories.Load();
        using var session = model.CreateSession(256);
        // Prompt in two parts: the second is a continuation of the first (no BOS added again).
        var first = session.CreateGenerator(prompt.AsSpan(0, 3), Greedy64 with { MaxTokens = 0 });
        Assert.False(first.MoveNext());
        var g = session.CreateGenerator(prompt.AsSpan(3), Greedy64 with { MaxTokens = 5 });
        var ids = new List<int>();
        while (g.MoveNext()) ids.Add(g.Current);
        Assert.Equal(expected[..5], ids);
    }

    [Fact]
    public void Prefix_reuse_evaluates_only_the_new_tokens()
    {
        var (prompt, expected, _) = Stories.OnceUponATime();
        using var model = Stories.Load();
        using var session = model.CreateSession(256);
        var g = session.CreateGeneratorReusingPrefix(prompt, Greedy64 with { MaxTokens = 8 });
        while (g.MoveNext()) { }
        int[] longer = [.. prompt, .. expected[..12]];
        var g2 = session.CreateGeneratorReusingPrefix(longer, Greedy64 with { MaxTokens = 4 });
        var ids = new List<int>();
        while (g2.MoveNext()) ids.Add(g2.Current);
        Assert.Equal(prompt.Length + 7, g2.ReusedPromptTokenCount);
        Assert.Equal(expected[12..16], ids);
    }

    [Fact]
    public void Bad_input_is_rejected_with_clear_messages()
    {
        using var model = Stories.Load();
        using var session = model.CreateSession(16);
        Assert.Contains("no tokens", Assert.Throws<ArgumentException>(() => session.CreateGenerator(ReadOnlySpan<int>.Empty)).Message);
        Assert.Contains("[0, 512)", Assert.Throws<ArgumentOutOfRangeException>(() => session.CreateGenerator([1, 9999])).Message);
        Assert.Throws<ContextOverflowException>(() => session.CreateGenerator(new int[17]));
        Assert.Contains("MaxTokens", Assert.Throws<ArgumentOutOfRangeException>(() => session.CreateGenerator([1], new GenerationOptions { MaxTokens = -1 })).Message);
    }

    [Fact]
    public void Tokenize_and_detokenize_round_trip()
    {
        var (prompt, _, _) = Stories.OnceUponATime();
        using var model = Stories.Load();
        Assert.Equal(prompt, model.Tokenizer.Encode("Once upon a time"));
        Assert.Equal("Once upon a time", model.Tokenizer.Decode(prompt));
    }
}
