using System.Text.Json;
using Hearth.Chat;
using Hearth.Inference;
using OpenAI.Chat;

namespace Hearth.Server.Tests;

/// <summary>
/// Tool calling with the default template (ChatML, generic JSON calls) and with a real model template loaded through
/// <see cref="HearthServerOptions.ChatTemplateFile"/> (Qwen 2.5: Hermes <c>&lt;tool_call&gt;</c> calls). Templates
/// render tools as long system text and stories260K tokenizes nearly per character, hence the larger context.
/// </summary>
public sealed class ToolTemplateTests
{
    private const string QwenTemplate = "chat-templates/llama.cpp-models-templates/Qwen-Qwen2.5-7B-Instruct.jinja";

    private const string Schema = """
        {"type":"object","properties":{"city":{"type":"string","enum":["Paris","Lima"]}},"required":["city"],"additionalProperties":false}
        """;

    private static Task<HearthServer> Start(string? templateFile) => Servers.StartAsync(new HearthServerOptions
    {
        ModelPath = Servers.ModelPath,
        Port = 0,
        Parallel = 1,
        ContextSize = 2048,
        ChatTemplateFile = templateFile,
    });

    private static List<ChatMessage> Conversation()
    {
        var call = ChatToolCall.CreateFunctionToolCall("call_abc123", "get_weather", BinaryData.FromString("""{"city":"Lima"}"""));
        return
        [
            new SystemChatMessage("You are helpful."),
            new UserChatMessage("Weather in Lima?"),
            new AssistantChatMessage([call]),
            new ToolChatMessage("call_abc123", """{"temperature":19,"sky":"cloudy"}"""),
        ];
    }

    private static ChatCompletionOptions Options(ChatToolChoice? choice, int maxTokens)
    {
        var options = new ChatCompletionOptions { Temperature = 0.8f, Seed = 7, MaxOutputTokenCount = maxTokens, ToolChoice = choice };
        options.Tools.Add(ChatTool.CreateFunctionTool("get_weather", "Current weather in a city", BinaryData.FromString(Schema)));
        return options;
    }

    [Theory]
    [InlineData(null)]
    [InlineData(QwenTemplate)]
    public async Task Conversation_with_a_tool_result_renders_and_a_named_call_parses(string? template)
    {
        await using var server = await Start(template is null ? null : TestData.PathOf(template));
        var client = new ChatClient(Servers.ModelId, Servers.Key(), Servers.SdkOptions(server));

        // The assistant's call and the tool's result go through the template (a template that rejected them would be a 400).
        ChatCompletion answer = await client.CompleteChatAsync(Conversation(), Options(null, 8));
        Assert.True(answer.Usage.InputTokenCount > 60);

        ChatCompletion c = await client.CompleteChatAsync(Conversation(), Options(ChatToolChoice.CreateFunctionChoice("get_weather"), 120));
        Assert.Equal(ChatFinishReason.ToolCalls, c.FinishReason);
        ChatToolCall call = Assert.Single(c.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        using var args = JsonDocument.Parse(call.FunctionArguments.ToString());
        var property = Assert.Single(args.RootElement.EnumerateObject());
        Assert.Equal("city", property.Name);
        Assert.Contains(property.Value.GetString(), new[] { "Paris", "Lima" });
    }

    [Fact]
    public void Qwen_template_renders_tools_the_call_and_its_result()
    {
        var template = ChatTemplate.Parse(File.ReadAllText(TestData.PathOf(QwenTemplate)));
        using var model = Model.Load(Servers.ModelPath);
        string Format(List<ChatTemplateMessage> m, JsonElement? t = null) => ChatPrompt.Build(model, template, m, t).Text; // the one prompt builder
        using var tools = JsonDocument.Parse("""[{"type":"function","function":{"name":"get_weather","parameters":""" + Schema + "}}]");
        var messages = new List<ChatTemplateMessage>
        {
            ChatTemplateMessage.User("Weather in Lima?"),
            new("assistant", "") { ToolCalls = [new ChatTemplateToolCall("get_weather", """{"city":"Lima"}""", "call_abc123")] },
            new("tool", """{"temperature":19}""") { ToolCallId = "call_abc123" },
        };
        string text = Format(messages, tools.RootElement);
        // Qwen 2.5's own markup (see the template file): tools listed in <tools>, the call in <tool_call>, the result in <tool_response>.
        Assert.Contains("<tools>", text, StringComparison.Ordinal);
        Assert.Contains("\"get_weather\"", text, StringComparison.Ordinal);
        Assert.Contains("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Lima\"}}\n</tool_call>", text, StringComparison.Ordinal);
        Assert.Contains("<tool_response>\n{\"temperature\":19}\n</tool_response>", text, StringComparison.Ordinal);
        Assert.EndsWith("<|im_start|>assistant\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Template_without_tools_gets_them_in_the_system_message_in_the_generic_shape()
    {
        using var model = Model.Load(Servers.ModelPath);
        string Format(List<ChatTemplateMessage> m, JsonElement? t = null) => ChatPrompt.Build(model, ChatTemplate.Default, m, t).Text; // the one prompt builder
        using var tools = JsonDocument.Parse("""[{"type":"function","function":{"name":"get_weather","parameters":""" + Schema + "}}]");
        string text = Format([ChatTemplateMessage.System("Be brief."), ChatTemplateMessage.User("Weather in Lima?")], tools.RootElement);
        // ChatML: one system turn holding the caller's text, then the tools and the {"tool_calls": [...]} shape the parser reads.
        Assert.StartsWith("<|im_start|>system\nBe brief.\n\n", text, StringComparison.Ordinal);
        Assert.Contains("\"get_weather\"", text, StringComparison.Ordinal);
        Assert.Contains("{\"tool_calls\": [{\"name\":", text, StringComparison.Ordinal);
        Assert.Contains("<|im_end|>\n<|im_start|>user\nWeather in Lima?<|im_end|>\n<|im_start|>assistant\n", text, StringComparison.Ordinal);
        Assert.Equal(1, text.Split("<|im_start|>system").Length - 1);
        Assert.DoesNotContain("get_weather", Format([ChatTemplateMessage.User("Weather in Lima?")]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_template_file_fails_start_with_its_path()
    {
        var e = await Assert.ThrowsAsync<FileNotFoundException>(() => Start("/nonexistent/template.jinja"));
        Assert.Contains("/nonexistent/template.jinja", e.Message, StringComparison.Ordinal);
    }
}
