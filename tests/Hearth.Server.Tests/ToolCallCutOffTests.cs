using OpenAI.Chat;

namespace Hearth.Server.Tests;

/// <summary>
/// Parallel forced calls are bounded (<c>--max-tool-calls</c>), and a reply cut by <c>max_tokens</c> after complete
/// calls still returns them as <c>tool_calls</c> (before, the reply carried only the raw JSON as text).
/// </summary>
public sealed class ToolCallCutOffTests
{
    private const string TimeSchema = """
        {"type":"object","properties":{"zone":{"type":"string","enum":["UTC","CET"]}},"required":["zone"],"additionalProperties":false}
        """;

    [Fact]
    public async Task Two_complete_calls_cut_by_max_tokens_come_back_as_tool_calls()
    {
        await using var server = await Servers.StartAsync(new HearthServerOptions
        {
            ModelPath = Servers.ModelPath, Port = 0, Parallel = 1, ContextSize = 1024, MaxParallelToolCalls = 2,
        });
        var bias = new Dictionary<int, int>();
        using (var model = Model.Load(Servers.ModelPath))
        {
            // Every token holding ']' pushed down, so the model keeps calling until the bound closes the list.
            for (int id = 0; id < model.Tokenizer.VocabSize; id++)
            {
                if (model.Tokenizer.TokenBytes(id).Contains((byte)']')) bias[id] = -100;
            }
        }
        var chat = new ChatClient(Servers.ModelId, Servers.Key(), Servers.SdkOptions(server));
        ChatCompletionOptions Options(int max)
        {
            var o = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = max, ToolChoice = ChatToolChoice.CreateRequiredChoice(), AllowParallelToolCalls = true };
            o.Tools.Add(ChatTool.CreateFunctionTool("get_time", "Current time in a zone", BinaryData.FromString(TimeSchema)));
            foreach (var (id, b) in bias) o.LogitBiases[id] = b;
            return o;
        }
        ChatCompletion full = await chat.CompleteChatAsync([new UserChatMessage("What time is it?")], Options(300));
        Assert.Equal(2, full.ToolCalls.Count);
        Assert.Equal(ChatFinishReason.ToolCalls, full.FinishReason);

        ChatCompletion cut = await chat.CompleteChatAsync([new UserChatMessage("What time is it?")], Options(full.Usage.OutputTokenCount - 1));
        Assert.Equal(ChatFinishReason.Length, cut.FinishReason);
        Assert.Equal(2, cut.ToolCalls.Count);
        Assert.Equal(full.ToolCalls.Select(c => c.FunctionArguments.ToString()), cut.ToolCalls.Select(c => c.FunctionArguments.ToString()));
        Assert.True(cut.Content.Count == 0 || string.Concat(cut.Content.Select(p => p.Text)).Length == 0);
    }
}
