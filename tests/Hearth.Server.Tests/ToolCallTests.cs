using System.Net;
using System.Text;
using System.Text.Json;
using OpenAI.Chat;

namespace Hearth.Server.Tests;

/// <summary>
/// <c>tools</c> / <c>tool_choice</c> through the official OpenAI SDK's tool types. stories260K never calls a tool on
/// its own, so the tests force a call (<c>"required"</c> or a named function): the grammar must make its reply a
/// call that parses and whose arguments satisfy the function's schema.
/// </summary>
public sealed class ToolCallTests(ToolServerFixture fixture) : IClassFixture<ToolServerFixture>
{
    /// <summary>Bounded values (enums, a boolean), so a model that rambles still finishes the call within the limit.</summary>
    private const string WeatherSchema = """
        {"type":"object","properties":{"city":{"type":"string","enum":["Paris","Oslo","Lima"]},
         "unit":{"type":"string","enum":["celsius","fahrenheit"]},"detailed":{"type":"boolean"}},
         "required":["city","unit","detailed"],"additionalProperties":false}
        """;

    private const string TimeSchema = """
        {"type":"object","properties":{"zone":{"type":"string","enum":["UTC","CET"]}},"required":["zone"],"additionalProperties":false}
        """;

    private static ChatTool Weather() => ChatTool.CreateFunctionTool("get_weather", "Current weather in a city", BinaryData.FromString(WeatherSchema));

    private static ChatTool Time() => ChatTool.CreateFunctionTool("get_time", "Current time in a zone", BinaryData.FromString(TimeSchema));

    private static ChatClient Chat(HearthServer server) => new(Servers.ModelId, Servers.Key(), Servers.SdkOptions(server));

    private static ChatCompletionOptions Options(ChatToolChoice choice)
    {
        var options = new ChatCompletionOptions { Temperature = 0.8f, Seed = 42, MaxOutputTokenCount = 150, ToolChoice = choice, AllowParallelToolCalls = false };
        options.Tools.Add(Weather());
        options.Tools.Add(Time());
        return options;
    }

    /// <summary>Checks the arguments against the schemas above by hand (the schemas are small and fixed).</summary>
    private static void AssertValidArguments(string name, string arguments)
    {
        using var doc = JsonDocument.Parse(arguments);
        var root = doc.RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        var names = root.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
        if (name == "get_weather")
        {
            Assert.Equal(["city", "detailed", "unit"], names);
            Assert.Contains(root.GetProperty("city").GetString(), new[] { "Paris", "Oslo", "Lima" });
            Assert.Contains(root.GetProperty("unit").GetString(), new[] { "celsius", "fahrenheit" });
            Assert.True(root.GetProperty("detailed").ValueKind is JsonValueKind.True or JsonValueKind.False);
        }
        else
        {
            Assert.Equal("get_time", name);
            Assert.Equal(["zone"], names);
            Assert.Contains(root.GetProperty("zone").GetString(), new[] { "UTC", "CET" });
        }
    }

    [Fact]
    public async Task Required_tool_choice_forces_a_call_with_schema_valid_arguments()
    {
        ChatCompletion c = await Chat(fixture.Server).CompleteChatAsync(
            [new UserChatMessage("What is the weather in Paris?")], Options(ChatToolChoice.CreateRequiredChoice()));
        Assert.Equal(ChatFinishReason.ToolCalls, c.FinishReason);
        ChatToolCall call = Assert.Single(c.ToolCalls);
        Assert.Equal(ChatToolCallKind.Function, call.Kind);
        Assert.False(string.IsNullOrEmpty(call.Id));
        Assert.Contains(call.FunctionName, new[] { "get_weather", "get_time" });
        AssertValidArguments(call.FunctionName, call.FunctionArguments.ToString());
    }

    [Fact]
    public async Task Named_function_is_the_one_called()
    {
        foreach (string name in new[] { "get_time", "get_weather" })
        {
            ChatCompletion c = await Chat(fixture.Server).CompleteChatAsync(
                [new UserChatMessage("Tell me something.")], Options(ChatToolChoice.CreateFunctionChoice(name)));
            Assert.Equal(ChatFinishReason.ToolCalls, c.FinishReason);
            ChatToolCall call = Assert.Single(c.ToolCalls);
            Assert.Equal(name, call.FunctionName);
            AssertValidArguments(name, call.FunctionArguments.ToString());
        }
    }

    [Fact]
    public async Task Streamed_tool_call_deltas_reassemble_to_the_non_stream_call()
    {
        var client = Chat(fixture.Server);
        List<ChatMessage> messages = [new UserChatMessage("Weather in Oslo, please.")];
        var options = Options(ChatToolChoice.CreateFunctionChoice("get_weather"));
        ChatCompletion whole = await client.CompleteChatAsync(messages, options);
        ChatToolCall expected = Assert.Single(whole.ToolCalls);

        string? id = null, name = null;
        var arguments = new StringBuilder();
        ChatFinishReason? finish = null;
        int firstUpdates = 0;
        await foreach (var update in client.CompleteChatStreamingAsync(messages, options))
        {
            foreach (var t in update.ToolCallUpdates)
            {
                Assert.Equal(0, t.Index);
                if (t.ToolCallId is not null)
                {
                    // OpenAI's shape: the call's id and name come first, alone, before any argument text.
                    firstUpdates++;
                    Assert.Equal(0, arguments.Length);
                    id = t.ToolCallId;
                    name = t.FunctionName;
                }
                if (t.FunctionArgumentsUpdate is { } a) arguments.Append(a.ToString());
            }
            if (update.FinishReason is { } f) finish = f;
        }
        Assert.Equal(1, firstUpdates);
        Assert.Equal(ChatFinishReason.ToolCalls, finish);
        Assert.Equal(expected.FunctionName, name);
        Assert.Equal(expected.FunctionArguments.ToString(), arguments.ToString());
        Assert.False(string.IsNullOrEmpty(id));
        AssertValidArguments(name!, arguments.ToString());
    }

    [Fact]
    public async Task Raw_stream_sends_the_call_head_with_type_and_empty_arguments_then_fragments()
    {
        string json = """{"model":"stories260K","stream":true,"temperature":0,"max_tokens":150,"messages":[{"role":"user","content":"Time?"}],""" +
            """ "tool_choice":{"type":"function","function":{"name":"get_time"}},"tools":[{"type":"function","function":{"name":"get_time","parameters":""" + TimeSchema + "}}]}";
        using var response = await Servers.PostAsync(fixture.Http, "v1/chat/completions", json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string body = await response.Content.ReadAsStringAsync();
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("data: [DONE]", events[^1]);
        var toolDeltas = new List<JsonElement>();
        string? finish = null;
        foreach (string e in events[..^1])
        {
            Assert.StartsWith("data: ", e, StringComparison.Ordinal);
            using var doc = JsonDocument.Parse(e["data: ".Length..]);
            var choice = doc.RootElement.GetProperty("choices")[0];
            if (choice.GetProperty("delta").TryGetProperty("tool_calls", out var calls)) toolDeltas.Add(Assert.Single(calls.EnumerateArray()).Clone());
            if (choice.GetProperty("finish_reason").ValueKind == JsonValueKind.String) finish = choice.GetProperty("finish_reason").GetString();
        }
        Assert.Equal("tool_calls", finish);
        Assert.True(toolDeltas.Count >= 2, body);
        var head = toolDeltas[0];
        Assert.Equal(0, head.GetProperty("index").GetInt32());
        Assert.Equal("function", head.GetProperty("type").GetString());
        Assert.StartsWith("call_", head.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("get_time", head.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("", head.GetProperty("function").GetProperty("arguments").GetString());
        var arguments = new StringBuilder();
        foreach (var d in toolDeltas.Skip(1))
        {
            Assert.False(d.TryGetProperty("id", out _));
            Assert.Equal(0, d.GetProperty("index").GetInt32());
            arguments.Append(d.GetProperty("function").GetProperty("arguments").GetString());
        }
        AssertValidArguments("get_time", arguments.ToString());
    }

    [Fact]
    public async Task Tool_choice_none_answers_in_text()
    {
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 10, ToolChoice = ChatToolChoice.CreateNoneChoice() };
        options.Tools.Add(Weather());
        ChatCompletion c = await Chat(fixture.Server).CompleteChatAsync([new UserChatMessage("Once upon a time")], options);
        Assert.Empty(c.ToolCalls);
        Assert.NotEqual(ChatFinishReason.ToolCalls, c.FinishReason);
        Assert.NotEmpty(c.Content[0].Text);
    }

    [Theory]
    [InlineData("""{"type":"function","function":{"name":"nope"}}""", "[]", "tool_choice")]
    [InlineData(""" "sometimes" """, "[]", "tool_choice")]
    [InlineData(""" "required" """, null, "tool_choice")]
    [InlineData(""" "auto" """, """[{"type":"function","function":{"description":"no name"}}]""", "tools")]
    [InlineData(""" "auto" """, """[{"type":"retrieval"}]""", "tools")]
    [InlineData(""" "auto" """, """{"type":"function"}""", "tools")]
    [InlineData(""" "auto" """, "[]", "tools")]
    [InlineData(""" "required" """, """[{"type":"function","function":{"name":"f","parameters":7}}]""", "tools")]
    public async Task Malformed_tools_or_tool_choice_is_400_naming_the_param(string toolChoice, string? tools, string param)
    {
        // "[]" in the first two rows stands for a valid tools array, so that tool_choice is what is wrong.
        if (tools == "[]" && param == "tool_choice") tools = """[{"type":"function","function":{"name":"get_weather","parameters":""" + WeatherSchema + "}}]";
        string json = """{"model":"stories260K","messages":[{"role":"user","content":"hi"}],"tool_choice":""" + toolChoice
            + (tools is null ? "" : ""","tools":""" + tools) + "}";
        using var response = await Servers.PostAsync(fixture.Http, "v1/chat/completions", json);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await Servers.ErrorOf(response);
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task Malformed_assistant_tool_calls_are_400_naming_the_param()
    {
        const string Json = """
            {"model":"stories260K","messages":[{"role":"user","content":"hi"},
             {"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"not json"}}]}]}
            """;
        using var response = await Servers.PostAsync(fixture.Http, "v1/chat/completions", Json);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("messages[1].tool_calls[0].function.arguments", (await Servers.ErrorOf(response)).GetProperty("param").GetString());
    }
}
