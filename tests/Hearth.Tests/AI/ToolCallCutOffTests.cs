using System.Text.Json;
using Hearth.AI;
using Hearth.Tests.Api;
using Microsoft.Extensions.AI;

namespace Hearth.Tests.AI;

/// <summary>
/// Parallel forced calls are bounded (<see cref="HearthChatClientOptions.MaxParallelToolCalls"/>), and a reply cut by
/// the token limit after complete calls still returns them as calls (before, the whole reply became raw JSON text).
/// </summary>
public class ToolCallCutOffTests
{
    private static AIFunctionDeclaration Time { get; } =
        AIFunctionFactory.CreateDeclaration("get_time", "Current time in a time zone",
            JsonDocument.Parse("""{"type":"object","properties":{"zone":{"enum":["UTC","CET"]}},"required":["zone"],"additionalProperties":false}""").RootElement);

    /// <summary>Every token whose text holds ']' pushed down, so the model keeps calling until the bound closes the list.</summary>
    internal static Dictionary<int, float> NoClosingBracket(Model model)
    {
        var bias = new Dictionary<int, float>();
        var tokenizer = model.Tokenizer;
        for (int id = 0; id < tokenizer.VocabSize; id++)
        {
            if (tokenizer.TokenBytes(id).Contains((byte)']')) bias[id] = -100f;
        }
        return bias;
    }

    [Fact]
    public async Task Two_complete_calls_cut_by_the_token_limit_come_back_as_calls()
    {
        using var model = Stories.Load();
        using var client = new HearthChatClient(model, new HearthChatClientOptions { MaxParallelToolCalls = 2, ContextSize = 1024 });
        ChatOptions Options(int max) => new()
        {
            Tools = [Time], ToolMode = ChatToolMode.RequireAny, Temperature = 0, MaxOutputTokens = max,
            AdditionalProperties = new() { ["logit_bias"] = NoClosingBracket(model) },
        };
        List<ChatMessage> ask = [new(ChatRole.User, "What time is it?")];

        var full = await client.GetResponseAsync(ask, Options(300));
        var calls = full.Messages[0].Contents.OfType<FunctionCallContent>().ToList();
        Assert.Equal(2, calls.Count); // bounded: the list closes after the second call
        Assert.Equal(ChatFinishReason.ToolCalls, full.FinishReason);
        int tokens = (int)full.Usage!.OutputTokenCount!.Value;

        // One token short: the list is never closed, but both calls are complete.
        var cut = await client.GetResponseAsync(ask, Options(tokens - 1));
        Assert.Equal(ChatFinishReason.Length, cut.FinishReason);
        var cutCalls = cut.Messages[0].Contents.OfType<FunctionCallContent>().ToList();
        Assert.Equal(2, cutCalls.Count);
        Assert.All(cutCalls, c => Assert.Null(c.Exception));
        Assert.Equal(calls.Select(c => JsonSerializer.Serialize(c.Arguments)), cutCalls.Select(c => JsonSerializer.Serialize(c.Arguments)));
        Assert.DoesNotContain("tool_calls", cut.Text, StringComparison.Ordinal);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in client.GetStreamingResponseAsync(ask, Options(tokens - 1))) updates.Add(u);
        var streamed = updates.ToChatResponse();
        Assert.Equal(2, streamed.Messages[0].Contents.OfType<FunctionCallContent>().Count());
        Assert.Equal(ChatFinishReason.Length, streamed.FinishReason);
    }
}
