using System.Net;
using System.Text;
using System.Text.Json;
using Anthropic;
using Anthropic.Exceptions;
using Anthropic.Helpers;
using Anthropic.Models.Messages;
using Anthropic.Services.Messages;

namespace Hearth.Server.Tests;

/// <summary>
/// <c>/v1/messages</c> and <c>/v1/messages/count_tokens</c> through the official Anthropic .NET SDK against the real
/// server on 127.0.0.1, with response validation on (every reply and every streamed event must be one the SDK
/// accepts). stories260K never calls a tool on its own, so the tool tests force the call (<c>any</c> or a named tool):
/// the grammar makes the reply a call whose input satisfies the schema.
/// </summary>
public sealed class AnthropicSdkTests(AnthropicFixture fixture) : IClassFixture<AnthropicFixture>
{
    private static MessageParam User(string text) => new UserMessageParam(text);

    /// <summary>
    /// The SDK (13.x) no longer has typed sampling fields; its raw-body constructor adds <c>temperature</c>
    /// (0 makes stories260K's replies greedy, so whole and streamed replies can be compared).
    /// </summary>
    private static MessageCreateParams WithTemperature(MessageCreateParams p, double temperature)
    {
        var body = new Dictionary<string, JsonElement>(p.RawBodyData) { ["temperature"] = JsonSerializer.SerializeToElement(temperature) };
        return MessageCreateParams.FromRawUnchecked(p.RawHeaderData, p.RawQueryData, body);
    }

    private static Tool Weather() => new()
    {
        Name = "get_weather",
        Description = "Current weather in a city",
        InputSchema = new InputSchema
        {
            Properties = new Dictionary<string, JsonElement>
            {
                ["city"] = JsonElement.Parse("""{"type":"string","enum":["Paris","Oslo","Lima"]}"""),
                ["unit"] = JsonElement.Parse("""{"type":"string","enum":["celsius","fahrenheit"]}"""),
            },
            Required = ["city", "unit"],
        },
    };

    private static void AssertWeatherInput(IReadOnlyDictionary<string, JsonElement> input)
    {
        Assert.Contains(input["city"].GetString(), new[] { "Paris", "Oslo", "Lima" });
        Assert.Contains(input["unit"].GetString(), new[] { "celsius", "fahrenheit" });
    }

    private static string TextOf(Message m) => string.Concat(m.Content.Select(b => b.Value).OfType<TextBlock>().Select(t => t.Text));

    [Fact]
    public async Task Plain_message_answers_with_text_usage_and_a_stop_reason()
    {
        var client = AnthropicFixture.Client(fixture.Server);
        var message = await client.Messages.Create(WithTemperature(new MessageCreateParams
        {
            Model = Servers.ModelId,
            MaxTokens = 12,
            System = "You tell short stories.",
            Messages = [User("Once upon a time"), new AssistantMessageParam("there was a cat."), User("What did it do?")],
        }, 0));
        message.Validate();
        Assert.StartsWith("msg_", message.ID, StringComparison.Ordinal);
        Assert.Equal(Servers.ModelId, message.Model.Raw());
        Assert.NotEmpty(TextOf(message));
        Assert.True(message.StopReason?.Value() is StopReason.MaxTokens or StopReason.EndTurn, message.StopReason?.Raw());
        Assert.True(message.Usage.OutputTokens is > 0 and <= 12);
        Assert.True(message.Usage.InputTokens + (message.Usage.CacheReadInputTokens ?? 0) > 20);
    }

    [Fact]
    public async Task Streamed_events_all_parse_text_arrives_in_deltas_and_aggregates_to_the_whole_reply()
    {
        var client = AnthropicFixture.Client(fixture.Server);
        var parameters = WithTemperature(new MessageCreateParams { Model = Servers.ModelId, MaxTokens = 16, Messages = [User("Once upon a time")] }, 0);
        var whole = await client.Messages.Create(parameters);

        var events = new List<RawMessageStreamEvent>();
        var text = new StringBuilder();
        int deltas = 0;
        await foreach (var e in client.Messages.CreateStreaming(parameters))
        {
            e.Validate(); // an event the SDK does not know would fail here
            events.Add(e);
            if (e.TryPickContentBlockDelta(out var d) && d.Delta.TryPickText(out var t))
            {
                deltas++;
                text.Append(t.Text);
            }
        }
        Assert.True(events[0].TryPickStart(out var start));
        Assert.Empty(start.Message.Content);
        Assert.True(events[^1].TryPickStop(out _));
        Assert.True(events[^2].TryPickDelta(out var last));
        Assert.Equal(whole.StopReason?.Raw(), last.Delta.StopReason?.Raw());
        Assert.Equal(whole.Usage.OutputTokens, last.Usage.OutputTokens);
        Assert.True(deltas > 1, $"{deltas} text deltas");
        Assert.Equal(TextOf(whole), text.ToString()); // greedy: the same text whole and streamed

        var aggregated = await client.Messages.CreateStreaming(parameters).Aggregate();
        aggregated.Validate();
        Assert.Equal(TextOf(whole), TextOf(aggregated));
    }

    [Fact]
    public async Task Stop_sequence_ends_the_reply_and_is_named()
    {
        var client = AnthropicFixture.Client(fixture.Server);
        var parameters = WithTemperature(new MessageCreateParams { Model = Servers.ModelId, MaxTokens = 40, Messages = [User("Once upon a time")] }, 0);
        string free = TextOf(await client.Messages.Create(parameters));
        Assert.True(free.Length > 6, free);
        string stop = free.Substring(3, 2); // two characters the greedy reply is known to contain
        var message = await client.Messages.Create(parameters with { StopSequences = [stop] });
        Assert.Equal(StopReason.StopSequence, message.StopReason?.Value());
        Assert.Equal(stop, message.StopSequence);
        Assert.Equal(free[..free.IndexOf(stop, StringComparison.Ordinal)], TextOf(message));
    }

    [Fact]
    public async Task Tool_use_round_trip_forced_call_then_tool_result_then_answer()
    {
        var client = AnthropicFixture.Client(fixture.Server);
        List<MessageParam> conversation = [User("What is the weather in Paris?")];
        var call = await client.Messages.Create(WithTemperature(new MessageCreateParams
        {
            Model = Servers.ModelId,
            MaxTokens = 150,
            Messages = conversation,
            Tools = [Weather()],
            ToolChoice = new ToolChoiceTool { Name = "get_weather" },
        }, 0.8));
        call.Validate();
        Assert.Equal(StopReason.ToolUse, call.StopReason?.Value());
        var use = Assert.Single(call.Content.Select(b => b.Value).OfType<ToolUseBlock>());
        Assert.Equal("get_weather", use.Name);
        Assert.StartsWith("toolu_", use.ID, StringComparison.Ordinal);
        AssertWeatherInput(use.Input);

        // The call goes back as the assistant's tool_use block, its result as the user's tool_result block.
        conversation.Add(new AssistantMessageParam(new List<ContentBlockParam> { new ToolUseBlockParam { ID = use.ID, Name = use.Name, Input = use.Input } }));
        conversation.Add(new UserMessageParam(new List<ContentBlockParam> { new ToolResultBlockParam { ToolUseID = use.ID, Content = "18 degrees and sunny" } }));
        var answer = await client.Messages.Create(WithTemperature(new MessageCreateParams
        {
            Model = Servers.ModelId,
            MaxTokens = 8,
            Messages = conversation,
            Tools = [Weather()],
            ToolChoice = new ToolChoiceNone(),
        }, 0));
        answer.Validate();
        Assert.NotEqual(StopReason.ToolUse, answer.StopReason?.Value());
        Assert.NotEmpty(TextOf(answer));
        // The call and its result were rendered into the prompt ('none' renders no tools): more than the question alone.
        var question = await client.Messages.CountTokens(new MessageCountTokensParams { Model = Servers.ModelId, Messages = [User("What is the weather in Paris?")] });
        Assert.True(answer.Usage.InputTokens + (answer.Usage.CacheReadInputTokens ?? 0) > question.InputTokens + 20);
    }

    [Fact]
    public async Task Streamed_tool_use_sends_input_json_deltas_that_reassemble_to_the_input()
    {
        var client = AnthropicFixture.Client(fixture.Server);
        var parameters = WithTemperature(new MessageCreateParams
        {
            Model = Servers.ModelId,
            MaxTokens = 150,
            Messages = [User("Weather in Oslo?")],
            Tools = [Weather()],
            ToolChoice = new ToolChoiceAny { DisableParallelToolUse = true },
        }, 0.8);
        var json = new StringBuilder();
        string? name = null;
        StopReason? stop = null;
        await foreach (var e in client.Messages.CreateStreaming(parameters))
        {
            e.Validate();
            if (e.TryPickContentBlockStart(out var s) && s.ContentBlock.TryPickToolUse(out var head))
            {
                Assert.Null(name); // one call: its head once, before its arguments
                Assert.Equal(0, json.Length);
                Assert.Empty(head.Input);
                name = head.Name;
            }
            if (e.TryPickContentBlockDelta(out var d) && d.Delta.TryPickInputJson(out var part)) json.Append(part.PartialJson);
            if (e.TryPickDelta(out var md)) stop = md.Delta.StopReason?.Value();
        }
        Assert.Equal("get_weather", name);
        Assert.Equal(StopReason.ToolUse, stop);
        using var input = JsonDocument.Parse(json.ToString());
        AssertWeatherInput(input.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone()));

        var aggregated = await client.Messages.CreateStreaming(parameters).Aggregate();
        aggregated.Validate();
        AssertWeatherInput(Assert.Single(aggregated.Content.Select(b => b.Value).OfType<ToolUseBlock>()).Input);
    }

    [Fact]
    public async Task Thinking_from_a_reasoning_template_comes_as_thinking_blocks_whole_and_streamed()
    {
        var client = AnthropicFixture.Client(fixture.Thinking);
        var parameters = WithTemperature(new MessageCreateParams
        {
            Model = Servers.ModelId,
            MaxTokens = 10,
            Messages = [User("Is the sky blue?")],
            Thinking = new ThinkingConfigEnabled { BudgetTokens = 1024 },
        }, 0);
        var whole = await client.Messages.Create(parameters);
        whole.Validate();
        // The prompt opens <think> and stories260K never closes it: all it writes is reasoning.
        var thought = Assert.Single(whole.Content.Select(b => b.Value).OfType<ThinkingBlock>());
        Assert.NotEmpty(thought.Thinking);
        Assert.Empty(TextOf(whole));

        var thinking = new StringBuilder();
        await foreach (var e in client.Messages.CreateStreaming(parameters))
        {
            e.Validate();
            Assert.False(e.TryPickContentBlockDelta(out var d) && d.Delta.TryPickText(out _), "no text outside the reasoning");
            if (e.TryPickContentBlockDelta(out var td) && td.Delta.TryPickThinking(out var t)) thinking.Append(t.Thinking);
        }
        Assert.Equal(thought.Thinking, thinking.ToString());

        // The same split as chat completions' reasoning_content.
        using var chat = await Servers.PostAsync(Servers.Client(fixture.Thinking), "v1/chat/completions",
            """{"model":"stories260K","max_tokens":10,"temperature":0,"messages":[{"role":"user","content":"Is the sky blue?"}]}""");
        using var doc = JsonDocument.Parse(await chat.Content.ReadAsStringAsync());
        Assert.Equal(thought.Thinking, doc.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("reasoning_content").GetString());
    }

    [Fact]
    public async Task Count_tokens_is_the_prompt_the_message_would_get()
    {
        var client = AnthropicFixture.Client(fixture.Server);
        List<MessageParam> messages = [User("Once upon a time")];
        var count = await client.Messages.CountTokens(new MessageCountTokensParams { Model = Servers.ModelId, Messages = messages, System = "Be brief." });
        count.Validate();
        var withTools = await client.Messages.CountTokens(new MessageCountTokensParams
        {
            Model = Servers.ModelId, Messages = messages, System = "Be brief.", Tools = [Weather()],
        });
        var message = await client.Messages.Create(new MessageCreateParams { Model = Servers.ModelId, MaxTokens = 1, Messages = messages, System = "Be brief." });
        Assert.Equal(count.InputTokens, message.Usage.InputTokens + (message.Usage.CacheReadInputTokens ?? 0));
        Assert.True(withTools.InputTokens > count.InputTokens + 20); // the tools are rendered into the prompt
    }

    [Fact]
    public async Task Bad_request_is_an_sdk_bad_request_with_anthropics_error_shape()
    {
        var client = AnthropicFixture.Client(fixture.Server);
        var e = await Assert.ThrowsAsync<AnthropicBadRequestException>(() => client.Messages.Create(WithTemperature(new MessageCreateParams
        {
            Model = Servers.ModelId, MaxTokens = 10, Messages = [User("hi")],
        }, 1.5)));
        Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
        using var doc = JsonDocument.Parse(e.ResponseBody);
        Assert.Equal("error", doc.RootElement.GetProperty("type").GetString());
        Assert.Equal("invalid_request_error", doc.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains("temperature", doc.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);

        await Assert.ThrowsAsync<AnthropicNotFoundException>(() => client.Messages.Create(new MessageCreateParams
        {
            Model = "claude-nope", MaxTokens = 10, Messages = [User("hi")],
        }));
    }

    [Fact]
    public async Task Api_key_is_accepted_as_x_api_key_and_refused_in_anthropics_shape()
    {
        await using var server = await Servers.StartAsync(new HearthServerOptions
        {
            ModelPath = Servers.ModelPath, Port = 0, Parallel = 1, ContextSize = 256, ApiKey = "sekrit",
        });
        var message = await AnthropicFixture.Client(server, "sekrit").Messages.Create(new MessageCreateParams
        {
            Model = Servers.ModelId, MaxTokens = 3, Messages = [User("hi")],
        });
        Assert.NotEmpty(message.Content);
        var e = await Assert.ThrowsAsync<AnthropicUnauthorizedException>(() => AnthropicFixture.Client(server, "wrong").Messages.Create(new MessageCreateParams
        {
            Model = Servers.ModelId, MaxTokens = 3, Messages = [User("hi")],
        }));
        using var doc = JsonDocument.Parse(e.ResponseBody);
        Assert.Equal("authentication_error", doc.RootElement.GetProperty("error").GetProperty("type").GetString());
    }
}
