using Hearth.Chat;
using Hearth.Sampling;

namespace Hearth.Tests.Api;

public class ChatSessionTests
{
    private static readonly GenerationOptions Greedy = new() { MaxTokens = 12, Sampling = SamplerOptions.Greedy };

    [Fact]
    public async Task Second_turn_reuses_the_first_turns_tokens()
    {
        using var model = Stories.Load();
        using var chat = new ChatSession(model, contextSize: 512);
        string first = await chat.SendAndWaitAsync("Once upon a time", Greedy);
        var turn1 = chat.LastTurn!.Value;
        Assert.Equal(0, turn1.ReusedPromptTokens);
        Assert.Equal(12, turn1.GeneratedTokens);
        Assert.Equal(["user", "assistant"], chat.History.Select(m => m.Role));
        Assert.Equal(first, chat.History[1].Content);

        await chat.SendAndWaitAsync("Tell me more", Greedy);
        var turn2 = chat.LastTurn!.Value;
        // The whole first prompt (give or take the token at the text boundary) is already in the cache.
        Assert.True(turn2.ReusedPromptTokens >= turn1.PromptTokens - 1, $"reused {turn2.ReusedPromptTokens} of the first turn's {turn1.PromptTokens}");
        Assert.True(turn2.PromptTokens - turn2.ReusedPromptTokens < turn2.PromptTokens - turn1.PromptTokens + 2);
        Assert.Equal(4, chat.History.Count);
    }

    [Fact]
    public async Task Reply_after_an_opened_think_block_is_reasoning()
    {
        // A template whose generation prompt opens <think>, as DeepSeek R1's does.
        var template = ChatTemplate.Parse("{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}assistant: <think>\n");
        using var model = Stories.Load();
        using var chat = new ChatSession(model, template, 256);
        string reasoning = "", content = "";
        await foreach (var d in chat.SendAsync("Once upon a time", Greedy))
        {
            reasoning += d.Reasoning;
            content += d.Content;
        }
        Assert.NotEmpty(reasoning.Trim());
        Assert.Equal("", content);
        Assert.Equal(reasoning, chat.History[1].ReasoningContent);
    }

    [Fact]
    public async Task Cancelled_turn_leaves_the_history_unchanged()
    {
        using var model = Stories.Load();
        using var chat = new ChatSession(model, contextSize: 256);
        chat.AddMessage(ChatTemplateMessage.System("You tell stories."));
        using var cts = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in chat.SendAsync("Once upon a time", Greedy with { MaxTokens = 100 }, cts.Token)) await cts.CancelAsync();
        });
        Assert.Single(chat.History);
    }
}
