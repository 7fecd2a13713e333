using System.ClientModel;
using System.Text;
using System.Text.Json;
using OpenAI.Responses;

// The SDK marks its Responses client experimental.
#pragma warning disable OPENAI001

namespace Hearth.Server.Tests;

/// <summary>
/// The official OpenAI .NET SDK's Responses client against the real server. stories260K never calls a tool on its own,
/// so tool tests force the call (a named function): the grammar makes the reply a call whose arguments fit the schema.
/// </summary>
public sealed class ResponsesSdkTests(ToolServerFixture fixture) : IClassFixture<ToolServerFixture>
{
    internal const string WeatherSchema = """
        {"type":"object","properties":{"city":{"type":"string","enum":["Paris","Oslo","Lima"]},
         "unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city","unit"],"additionalProperties":false}
        """;

    private ResponsesClient Client() => Client(fixture.Server);

    internal static ResponsesClient Client(HearthServer server) => new(Servers.Key(), new ResponsesClientOptions
    {
        Endpoint = new Uri(server.BaseAddress, "v1"),
        NetworkTimeout = TimeSpan.FromSeconds(180),
        RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0),
    });

    private static CreateResponseOptions Options(string text, int maxTokens = 16) =>
        new(Servers.ModelId, [ResponseItem.CreateUserMessageItem(text)]) { Temperature = 0, MaxOutputTokenCount = maxTokens };

    private static CreateResponseOptions WeatherCall(IEnumerable<ResponseItem> input)
    {
        var options = new CreateResponseOptions(Servers.ModelId, input)
        {
            Temperature = 0, MaxOutputTokenCount = 200, ToolChoice = ResponseToolChoice.CreateFunctionChoice("get_weather"),
        };
        options.Tools.Add(ResponseTool.CreateFunctionTool("get_weather", BinaryData.FromString(WeatherSchema), strictModeEnabled: true, "Current weather in a city"));
        return options;
    }

    /// <summary>The SDK wants the stream flag set on the options of a streaming call.</summary>
    internal static CreateResponseOptions Streaming(CreateResponseOptions options)
    {
        options.StreamingEnabled = true;
        return options;
    }

    internal static void AssertWeatherArguments(string arguments)
    {
        using var doc = JsonDocument.Parse(arguments);
        var root = doc.RootElement;
        Assert.Equal(["city", "unit"], root.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray());
        Assert.Contains(root.GetProperty("city").GetString(), new[] { "Paris", "Oslo", "Lima" });
        Assert.Contains(root.GetProperty("unit").GetString(), new[] { "celsius", "fahrenheit" });
    }

    /// <summary>Every item the SDK read is one of its known kinds (an unknown shape would be its internal fallback type).</summary>
    private static void AssertKnownItems(ResponseResult r)
    {
        foreach (var item in r.OutputItems) Assert.DoesNotContain("Unknown", item.GetType().Name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_response_has_a_message_status_and_usage()
    {
        var options = Options("Tell me a story.", 12);
        options.Instructions = "You tell stories.";
        ResponseResult r = await Client().CreateResponseAsync(options);
        Assert.StartsWith("resp_", r.Id, StringComparison.Ordinal);
        Assert.Equal(Servers.ModelId, r.Model);
        AssertKnownItems(r);
        var message = Assert.IsAssignableFrom<MessageResponseItem>(Assert.Single(r.OutputItems));
        Assert.Equal(MessageRole.Assistant, message.Role);
        Assert.False(string.IsNullOrEmpty(r.GetOutputText()));
        Assert.True(r.Usage.InputTokenCount > 10);
        Assert.InRange(r.Usage.OutputTokenCount, 1, 12);
        Assert.Equal(r.Usage.InputTokenCount + r.Usage.OutputTokenCount, r.Usage.TotalTokenCount);
        // Cut by the limit it is incomplete with the reason; ended by the model it is completed.
        if (r.Usage.OutputTokenCount == 12 && r.Status == ResponseStatus.Incomplete)
        {
            Assert.Equal(ResponseIncompleteStatusReason.MaxOutputTokens, r.IncompleteStatusDetails.Reason);
        }
        else
        {
            Assert.Equal(ResponseStatus.Completed, r.Status);
        }
    }

    [Fact]
    public async Task Streamed_events_all_parse_and_the_deltas_make_the_non_stream_text()
    {
        var options = Options("Once upon a time", 30);
        ResponseResult whole = await Client().CreateResponseAsync(options);

        var updates = new List<StreamingResponseUpdate>();
        await foreach (var u in await Client().CreateResponseStreamingAsync(Streaming(Options("Once upon a time", 30)))) updates.Add(u);
        foreach (var u in updates) Assert.DoesNotContain("Unknown", u.GetType().Name, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, updates.Count), updates.Select(u => u.SequenceNumber));
        Assert.IsType<StreamingResponseCreatedUpdate>(updates[0]);
        Assert.IsType<StreamingResponseInProgressUpdate>(updates[1]);
        var deltas = updates.OfType<StreamingResponseOutputTextDeltaUpdate>().ToList();
        Assert.True(deltas.Count > 3, $"expected several deltas, got {deltas.Count}");
        string text = string.Concat(deltas.Select(d => d.Delta));
        Assert.Equal(text, Assert.Single(updates.OfType<StreamingResponseOutputTextDoneUpdate>()).Text);
        var last = updates[^1];
        ResponseResult final = last switch
        {
            StreamingResponseCompletedUpdate c => c.Response,
            StreamingResponseIncompleteUpdate i => i.Response,
            _ => throw new Xunit.Sdk.XunitException($"the last event is {last.GetType().Name}"),
        };
        Assert.Equal(text, final.GetOutputText());
        Assert.Equal(whole.GetOutputText(), text);
        Assert.Equal(whole.Status, final.Status);
        Assert.Equal(whole.Usage.OutputTokenCount, final.Usage.OutputTokenCount);
        AssertKnownItems(final);
    }

    [Fact]
    public async Task Function_call_round_trip_through_previous_response_id()
    {
        var client = Client();
        ResponseResult first = await client.CreateResponseAsync(WeatherCall([ResponseItem.CreateUserMessageItem("What is the weather in Paris?")]));
        AssertKnownItems(first);
        var call = Assert.Single(first.OutputItems.OfType<FunctionCallResponseItem>());
        Assert.Equal("get_weather", call.FunctionName);
        Assert.False(string.IsNullOrEmpty(call.CallId));
        AssertWeatherArguments(call.FunctionArguments.ToString());
        Assert.Equal(ResponseStatus.Completed, first.Status);

        var next = new CreateResponseOptions(Servers.ModelId, [ResponseItem.CreateFunctionCallOutputItem(call.CallId, """{"temperature":19,"sky":"cloudy"}""")])
        {
            Temperature = 0, MaxOutputTokenCount = 10, PreviousResponseId = first.Id,
        };
        next.Tools.Add(ResponseTool.CreateFunctionTool("get_weather", BinaryData.FromString(WeatherSchema), strictModeEnabled: true));
        ResponseResult answer = await client.CreateResponseAsync(next);
        Assert.Equal(first.Id, answer.PreviousResponseId);
        // The second prompt holds the first one, the call and its output.
        Assert.True(answer.Usage.InputTokenCount > first.Usage.InputTokenCount + first.Usage.OutputTokenCount,
            $"{answer.Usage.InputTokenCount} vs {first.Usage.InputTokenCount} + {first.Usage.OutputTokenCount}");
        Assert.NotEmpty(answer.OutputItems);
    }

    [Fact]
    public async Task Function_call_and_output_items_given_as_input_render()
    {
        var call = ResponseItem.CreateFunctionCallItem("call_abc123", "get_weather", BinaryData.FromString("""{"city":"Lima","unit":"celsius"}"""));
        var options = new CreateResponseOptions(Servers.ModelId,
        [
            ResponseItem.CreateUserMessageItem("Weather in Lima?"),
            call,
            ResponseItem.CreateFunctionCallOutputItem("call_abc123", """{"temperature":19}"""),
        ])
        { Temperature = 0, MaxOutputTokenCount = 8 };
        options.Tools.Add(ResponseTool.CreateFunctionTool("get_weather", BinaryData.FromString(WeatherSchema), strictModeEnabled: false));
        ResponseResult r = await Client().CreateResponseAsync(options);
        ResponseResult bare = await Client().CreateResponseAsync(Options("Weather in Lima?", 8));
        Assert.True(r.Usage.InputTokenCount > bare.Usage.InputTokenCount + 20, $"{r.Usage.InputTokenCount} vs {bare.Usage.InputTokenCount}");
    }

    [Fact]
    public async Task Output_items_passed_back_as_input_continue_without_the_store()
    {
        // Clients that keep the conversation themselves (store: false) send the output items back with the call's result.
        var client = Client();
        var firstOptions = WeatherCall([ResponseItem.CreateUserMessageItem("What is the weather in Lima?")]);
        firstOptions.StoredOutputEnabled = false;
        ResponseResult first = await client.CreateResponseAsync(firstOptions);
        var call = Assert.Single(first.OutputItems.OfType<FunctionCallResponseItem>());
        List<ResponseItem> input = [ResponseItem.CreateUserMessageItem("What is the weather in Lima?"), .. first.OutputItems,
            ResponseItem.CreateFunctionCallOutputItem(call.CallId, """{"temperature":19}""")];
        var next = new CreateResponseOptions(Servers.ModelId, input) { Temperature = 0, MaxOutputTokenCount = 6, StoredOutputEnabled = false };
        next.Tools.Add(ResponseTool.CreateFunctionTool("get_weather", BinaryData.FromString(WeatherSchema), strictModeEnabled: true));
        ResponseResult answer = await client.CreateResponseAsync(next);
        Assert.True(answer.Usage.InputTokenCount > first.Usage.InputTokenCount + first.Usage.OutputTokenCount,
            $"{answer.Usage.InputTokenCount} vs {first.Usage.InputTokenCount} + {first.Usage.OutputTokenCount}");
        var e = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync(answer.Id));
        Assert.Equal(404, e.Status);
    }

    [Fact]
    public async Task Streamed_function_call_arguments_reassemble()
    {
        var updates = new List<StreamingResponseUpdate>();
        await foreach (var u in await Client().CreateResponseStreamingAsync(Streaming(WeatherCall([ResponseItem.CreateUserMessageItem("Weather in Oslo?")])))) updates.Add(u);
        foreach (var u in updates) Assert.DoesNotContain("Unknown", u.GetType().Name, StringComparison.Ordinal);
        var added = Assert.Single(updates.OfType<StreamingResponseOutputItemAddedUpdate>());
        var head = Assert.IsType<FunctionCallResponseItem>(added.Item);
        Assert.Equal("get_weather", head.FunctionName);
        string arguments = string.Concat(updates.OfType<StreamingResponseFunctionCallArgumentsDeltaUpdate>().Select(d => d.Delta.ToString()));
        var done = Assert.Single(updates.OfType<StreamingResponseFunctionCallArgumentsDoneUpdate>());
        Assert.Equal(arguments, done.FunctionArguments.ToString());
        AssertWeatherArguments(arguments);
        var final = Assert.IsType<StreamingResponseCompletedUpdate>(updates[^1]).Response;
        Assert.Equal(arguments, Assert.IsType<FunctionCallResponseItem>(Assert.Single(final.OutputItems)).FunctionArguments.ToString());
    }

    [Fact]
    public async Task Previous_response_id_continues_the_conversation()
    {
        var client = Client();
        ResponseResult first = await client.CreateResponseAsync(Options("Tom had a dog.", 8));
        var second = Options("What was its name?", 8);
        second.PreviousResponseId = first.Id;
        ResponseResult next = await client.CreateResponseAsync(second);
        ResponseResult alone = await client.CreateResponseAsync(Options("What was its name?", 8));
        Assert.Equal(first.Id, next.PreviousResponseId);
        Assert.True(next.Usage.InputTokenCount >= alone.Usage.InputTokenCount + first.Usage.OutputTokenCount + 5,
            $"{next.Usage.InputTokenCount} vs {alone.Usage.InputTokenCount} + {first.Usage.OutputTokenCount}");
    }

    [Fact]
    public async Task Stored_response_is_returned_by_get_and_store_false_is_not_kept()
    {
        var client = Client();
        ResponseResult kept = await client.CreateResponseAsync(Options("Lily saw a bird.", 6));
        ResponseResult again = await client.GetResponseAsync(kept.Id);
        Assert.Equal(kept.Id, again.Id);
        Assert.Equal(kept.GetOutputText(), again.GetOutputText());
        Assert.Equal(kept.Usage.OutputTokenCount, again.Usage.OutputTokenCount);

        var options = Options("Lily saw a bird.", 6);
        options.StoredOutputEnabled = false;
        ResponseResult notKept = await client.CreateResponseAsync(options);
        var e = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync(notKept.Id));
        Assert.Equal(404, e.Status);
        var follow = Options("And then?", 4);
        follow.PreviousResponseId = notKept.Id;
        e = await Assert.ThrowsAsync<ClientResultException>(() => client.CreateResponseAsync(follow));
        Assert.Equal(404, e.Status);
    }

    [Fact]
    public async Task Delete_removes_a_stored_response()
    {
        var client = Client();
        ResponseResult r = await client.CreateResponseAsync(Options("Ben had a ball.", 4));
        ResponseDeletionResult deleted = await client.DeleteResponseAsync(r.Id);
        Assert.True(deleted.Deleted);
        Assert.Equal(r.Id, deleted.ResponseId);
        var e = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync(r.Id));
        Assert.Equal(404, e.Status);
        e = await Assert.ThrowsAsync<ClientResultException>(() => client.DeleteResponseAsync(r.Id));
        Assert.Equal(404, e.Status);
    }

    [Fact]
    public async Task Json_schema_text_format_gives_json_that_fits_the_schema()
    {
        var options = Options("Where is it warm?", 200);
        options.TextOptions = new ResponseTextOptions
        {
            TextFormat = ResponseTextFormat.CreateJsonSchemaFormat("weather", BinaryData.FromString(WeatherSchema), jsonSchemaIsStrict: true),
        };
        ResponseResult r = await Client().CreateResponseAsync(options);
        Assert.Equal(ResponseStatus.Completed, r.Status);
        AssertWeatherArguments(r.GetOutputText());
    }
}
