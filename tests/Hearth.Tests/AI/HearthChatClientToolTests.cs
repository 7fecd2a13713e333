using System.Text.Json;
using Hearth.AI;
using Hearth.Chat;
using Hearth.Tests.Api;
using Hearth.Tests.Sampling;
using Microsoft.Extensions.AI;

namespace Hearth.Tests.AI;

/// <summary>
/// ChatOptions.Tools / ToolMode on the stories260K model (random as far as tools go: it never learned to call one) with
/// real tool-calling chat templates from the test data. Forced modes must still give calls whose arguments validate.
/// </summary>
public class HearthChatClientToolTests
{
    private const string WeatherSchema = """
        {"type":"object","properties":{
           "city":{"type":"string","pattern":"^[A-Z][a-z]{1,10}$"},
           "days":{"type":"integer","minimum":1,"maximum":7},
           "unit":{"enum":["celsius","fahrenheit"]}},
         "required":["city","days"],"additionalProperties":false}
        """;

    private const string Qwen = "Qwen-Qwen2.5-7B-Instruct.jinja";

    private static ChatTemplate Template(string file) =>
        ChatTemplate.Parse(File.ReadAllText(TestData.PathOf("chat-templates/llama.cpp-models-templates/" + file)));

    private static AIFunctionDeclaration Weather { get; } =
        AIFunctionFactory.CreateDeclaration("get_weather", "Weather forecast for a city", JsonDocument.Parse(WeatherSchema).RootElement);

    private static AIFunctionDeclaration Time { get; } =
        AIFunctionFactory.CreateDeclaration("get_time", "Current time in a time zone",
            JsonDocument.Parse("""{"type":"object","properties":{"zone":{"enum":["UTC","CET"]}},"required":["zone"]}""").RootElement);

    private static List<ChatMessage> Ask() => [new(ChatRole.User, "What is the weather in Paris for the next 3 days?")];

    private static ChatOptions Options(ChatToolMode mode, int seed, params AITool[] tools) =>
        new() { Tools = [.. tools], ToolMode = mode, Temperature = 1, Seed = seed, MaxOutputTokens = 400 };

    private static void AssertValid(FunctionCallContent call, string schemaJson)
    {
        Assert.Null(call.Exception);
        Assert.False(string.IsNullOrEmpty(call.CallId));
        string args = JsonSerializer.Serialize(call.Arguments);
        using var value = JsonDocument.Parse(args);
        using var schema = JsonDocument.Parse(schemaJson);
        var error = SchemaValidator.Validate(value.RootElement, schema.RootElement);
        Assert.True(error is null, $"{call.Name}({args}): {error}");
    }

    [Theory]
    [InlineData(Qwen)]
    [InlineData("NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja")]
    [InlineData("meta-llama-Llama-3.1-8B-Instruct.jinja")]
    [InlineData("deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja")]
    [InlineData(null)] // the model's own (ChatML, no tool support): tools go into the system message, generic format
    public async Task Required_function_gives_a_call_whose_arguments_validate(string? templateFile)
    {
        using var model = Stories.Load();
        using var client = new HearthChatClient(model, new HearthChatClientOptions { Template = templateFile is null ? null : Template(templateFile) });
        for (int seed = 0; seed < 3; seed++)
        {
            var response = await client.GetResponseAsync(Ask(), Options(ChatToolMode.RequireSpecific("get_weather"), seed, Weather, Time));
            var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
            Assert.Equal("get_weather", call.Name);
            AssertValid(call, WeatherSchema);
            Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
            Assert.Contains("get_weather", client.LastPromptText);
            Assert.Contains("Weather forecast for a city", client.LastPromptText);
        }
    }

    [Fact]
    public async Task Streaming_required_any_emits_whole_calls_and_agrees_with_non_streaming()
    {
        using var model = Stories.Load();
        using var client = new HearthChatClient(model, new HearthChatClientOptions { Template = Template(Qwen) });
        for (int seed = 0; seed < 4; seed++)
        {
            // One call per reply: with parallel calls allowed, a random model may chain calls until the token limit.
            var options = Options(ChatToolMode.RequireAny, seed, Weather, Time);
            options.AllowMultipleToolCalls = false;
            var updates = new List<ChatResponseUpdate>();
            await foreach (var u in client.GetStreamingResponseAsync(Ask(), options)) updates.Add(u);
            var streamed = updates.ToChatResponse();
            var whole = await client.GetResponseAsync(Ask(), options);

            var calls = streamed.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
            Assert.Single(calls);
            Assert.True(streamed.FinishReason == ChatFinishReason.ToolCalls, $"seed {seed}: {streamed.FinishReason}, {calls.Count} calls, {streamed.Usage?.OutputTokenCount} tokens: {string.Join(" | ", calls.Select(c => c.Name + " " + c.Exception?.InnerException?.Message))}");
            foreach (var call in calls) AssertValid(call, call.Name == "get_weather" ? WeatherSchema : Time.JsonSchema.GetRawText());
            Assert.Equal(ChatFinishReason.ToolCalls, streamed.FinishReason);
            Assert.DoesNotContain("<tool_call>", streamed.Text, StringComparison.Ordinal);
            var wholeCalls = whole.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
            Assert.Equal(calls.Select(c => c.Name + JsonSerializer.Serialize(c.Arguments)), wholeCalls.Select(c => c.Name + JsonSerializer.Serialize(c.Arguments)));
        }
    }

    [Fact]
    public async Task Function_invoking_client_calls_the_function_and_feeds_the_result_back()
    {
        using var model = Stories.Load();
        using var hearth = new HearthChatClient(model, new HearthChatClientOptions { Template = Template(Qwen) });
        var invocations = new List<(string City, int Days)>();
        var weather = AIFunctionFactory.Create(
            (string city, int days) =>
            {
                invocations.Add((city, days));
                return $"forecast-{invocations.Count}: sunny";
            },
            "get_weather", "Weather forecast for a city");
        using var client = new ChatClientBuilder(hearth).UseFunctionInvocation(configure: c => c.MaximumIterationsPerRequest = 3).Build();
        var options = new ChatOptions { Tools = [weather], ToolMode = ChatToolMode.RequireSpecific("get_weather"), Temperature = 1, Seed = 5, MaxOutputTokens = 400 };

        var response = await client.GetResponseAsync(Ask(), options);

        Assert.NotEmpty(invocations);
        Assert.All(invocations, i => Assert.NotNull(i.City));
        var call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().First();
        AssertValid(call, weather.JsonSchema.GetRawText());
        var result = response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().First();
        Assert.Equal(call.CallId, result.CallId);
        // The next request rendered the call and its result the way the Qwen template shows tool output.
        Assert.True(hearth.LastPromptText!.Contains("<tool_response>\nforecast-1: sunny", StringComparison.Ordinal), hearth.LastPromptText);
        Assert.Contains("<tool_response>\nforecast-1: sunny\n</tool_response>", hearth.LastPromptText, StringComparison.Ordinal);
        Assert.Contains("\"name\": \"get_weather\"", hearth.LastPromptText, StringComparison.Ordinal);
        Assert.True(response.Messages.Count >= 3, "call, result and the final answer");
    }

    [Fact]
    public async Task Tool_messages_render_as_the_openai_format_does()
    {
        using var model = Stories.Load();
        var template = Template(Qwen);
        using var client = new HearthChatClient(model, new HearthChatClientOptions { Template = template });
        var history = new List<ChatMessage>
        {
            new(ChatRole.User, "Weather in Oslo?"),
            new(ChatRole.Assistant, [new FunctionCallContent("call_1", "get_weather", new Dictionary<string, object?> { ["city"] = "Oslo", ["days"] = 2 })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_1", "rain")]),
        };
        await client.GetResponseAsync(history, new ChatOptions { Tools = [Weather], MaxOutputTokens = 1, Temperature = 0 });

        // The same conversation in OpenAI's chat-completions shape, rendered directly.
        string context = """
            {"add_generation_prompt": true, "bos_token": "<s>", "eos_token": "</s>",
             "messages": [
               {"role": "user", "content": "Weather in Oslo?"},
               {"role": "assistant", "content": "", "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Oslo\",\"days\":2}"}}]},
               {"role": "tool", "tool_call_id": "call_1", "content": "rain"}],
             "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Weather forecast for a city", "parameters": TOOLSCHEMA}}]}
            """.Replace("TOOLSCHEMA", WeatherSchema, StringComparison.Ordinal);
        Assert.Equal(template.RenderJson(context, ChatTemplateOptions.LlamaCpp), client.LastPromptText);
    }

    [Fact]
    public async Task Auto_renders_tools_and_none_leaves_them_out()
    {
        using var model = Stories.Load();
        using var client = new HearthChatClient(model, new HearthChatClientOptions { Template = Template(Qwen) });
        var auto = await client.GetResponseAsync(Ask(), new ChatOptions { Tools = [Weather], Temperature = 0, MaxOutputTokens = 8 });
        Assert.Contains("get_weather", client.LastPromptText);
        Assert.Empty(auto.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.NotEqual(ChatFinishReason.ToolCalls, auto.FinishReason);

        await client.GetResponseAsync(Ask(), new ChatOptions { Tools = [Weather], ToolMode = ChatToolMode.None, Temperature = 0, MaxOutputTokens = 8 });
        Assert.DoesNotContain("get_weather", client.LastPromptText);
    }

    [Fact]
    public async Task Bad_tool_options_are_clear_errors()
    {
        using var model = Stories.Load();
        using var client = new HearthChatClient(model, new HearthChatClientOptions { Template = Template(Qwen) });
        var unknown = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync(Ask(), Options(ChatToolMode.RequireSpecific("nope"), 0, Weather)));
        Assert.Contains("'nope'", unknown.Message);
        Assert.Contains("get_weather", unknown.Message);
        var none = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync(Ask(), new ChatOptions { ToolMode = ChatToolMode.RequireAny }));
        Assert.Contains("no functions", none.Message);
        var hosted = await Assert.ThrowsAsync<NotSupportedException>(() => client.GetResponseAsync(Ask(), new ChatOptions { Tools = [new HostedWebSearchTool()] }));
        Assert.Contains("HostedWebSearchTool", hosted.Message);
    }
}
