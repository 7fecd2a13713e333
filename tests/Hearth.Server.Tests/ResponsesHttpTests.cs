using System.Net;
using System.Text.Json;
using Hearth.Server.Endpoints.Responses;
using Hearth.Server.Protocol.Responses;

namespace Hearth.Server.Tests;

/// <summary>The Responses API on the wire: the exact stream event order, the <c>/responses</c> alias, and errors for bad input.</summary>
public sealed class ResponsesHttpTests(ToolServerFixture fixture) : IClassFixture<ToolServerFixture>
{
    private const string WeatherTool = """[{"type":"function","name":"get_weather","description":"Weather","parameters":""" + ResponsesSdkTests.WeatherSchema + "}]";

    /// <summary>The events of a stream as (event line, data JSON), checking each frame's event line names the data's type.</summary>
    private static async Task<List<JsonElement>> Events(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        string body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("[DONE]", body, StringComparison.Ordinal);
        var list = new List<JsonElement>();
        foreach (string frame in body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = frame.Split('\n');
            Assert.Equal(2, lines.Length);
            Assert.StartsWith("event: ", lines[0], StringComparison.Ordinal);
            Assert.StartsWith("data: ", lines[1], StringComparison.Ordinal);
            using var doc = JsonDocument.Parse(lines[1]["data: ".Length..]);
            Assert.Equal(lines[0]["event: ".Length..], doc.RootElement.GetProperty("type").GetString());
            Assert.Equal(list.Count, doc.RootElement.GetProperty("sequence_number").GetInt32());
            list.Add(doc.RootElement.Clone());
        }
        return list;
    }

    private static string Type(JsonElement e) => e.GetProperty("type").GetString()!;

    /// <summary>The event types with runs of one delta type folded to one entry.</summary>
    private static List<string> Shape(List<JsonElement> events)
    {
        var shape = new List<string>();
        foreach (var e in events)
        {
            string t = Type(e);
            if (t.EndsWith(".delta", StringComparison.Ordinal) && shape.Count > 0 && shape[^1] == t) continue;
            shape.Add(t);
        }
        return shape;
    }

    [Fact]
    public async Task Text_stream_sends_the_events_in_order()
    {
        using var response = await Servers.PostAsync(fixture.Http, "v1/responses",
            """{"model":"stories260K","input":"Once upon a time","stream":true,"temperature":0,"max_output_tokens":8,"logit_bias":{"2":-100}}""");
        var events = await Events(response);
        Assert.Equal(
        [
            "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
            "response.output_text.delta", "response.output_text.done", "response.content_part.done", "response.output_item.done",
            "response.incomplete",
        ], Shape(events));
        Assert.Equal("in_progress", events[0].GetProperty("response").GetProperty("status").GetString());
        Assert.Equal(0, events[0].GetProperty("response").GetProperty("output").GetArrayLength());
        var added = events[2];
        Assert.Equal(0, added.GetProperty("output_index").GetInt32());
        string itemId = added.GetProperty("item").GetProperty("id").GetString()!;
        Assert.StartsWith("msg_", itemId, StringComparison.Ordinal);
        Assert.Equal("in_progress", added.GetProperty("item").GetProperty("status").GetString());
        var deltas = events.Where(e => Type(e) == "response.output_text.delta").ToList();
        Assert.Equal(8, deltas.Count); // one per token, the end-of-sequence token barred
        Assert.All(deltas, d => Assert.Equal(itemId, d.GetProperty("item_id").GetString()));
        string text = string.Concat(deltas.Select(d => d.GetProperty("delta").GetString()));
        Assert.Equal(text, events.Single(e => Type(e) == "response.output_text.done").GetProperty("text").GetString());
        var final = events[^1].GetProperty("response");
        Assert.Equal("incomplete", final.GetProperty("status").GetString());
        Assert.Equal("max_output_tokens", final.GetProperty("incomplete_details").GetProperty("reason").GetString());
        Assert.Equal(8, final.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        var item = Assert.Single(final.GetProperty("output").EnumerateArray());
        Assert.Equal("incomplete", item.GetProperty("status").GetString());
        Assert.Equal(text, item.GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Function_call_stream_sends_the_call_events_in_order()
    {
        using var response = await Servers.PostAsync(fixture.Http, "responses", // the alias without /v1
            """{"model":"stories260K","input":"Weather?","stream":true,"temperature":0,"max_output_tokens":200,""" +
            """ "tool_choice":{"type":"function","name":"get_weather"},"tools":""" + WeatherTool + "}");
        var events = await Events(response);
        Assert.Equal(
        [
            "response.created", "response.in_progress", "response.output_item.added", "response.function_call_arguments.delta",
            "response.function_call_arguments.done", "response.output_item.done", "response.completed",
        ], Shape(events));
        var item = events[2].GetProperty("item");
        Assert.Equal("function_call", item.GetProperty("type").GetString());
        Assert.Equal("get_weather", item.GetProperty("name").GetString());
        Assert.Equal("", item.GetProperty("arguments").GetString());
        Assert.StartsWith("fc_", item.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(item.GetProperty("call_id").GetString()));
        string arguments = events[^3].GetProperty("arguments").GetString()!;
        ResponsesSdkTests.AssertWeatherArguments(arguments);
        var done = events[^1].GetProperty("response");
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, done.GetProperty("incomplete_details").ValueKind);
        Assert.Equal(arguments, Assert.Single(done.GetProperty("output").EnumerateArray()).GetProperty("arguments").GetString());
        Assert.Equal("get_weather", done.GetProperty("tools")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Whole_response_has_the_openai_fields()
    {
        using var response = await Servers.PostAsync(fixture.Http, "v1/responses",
            """{"model":"stories260K","input":[{"role":"user","content":"Hi"}],"instructions":"Be brief.","max_output_tokens":4,"metadata":{"k":"v"}}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var r = doc.RootElement;
        Assert.Equal("response", r.GetProperty("object").GetString());
        Assert.Equal("Be brief.", r.GetProperty("instructions").GetString());
        Assert.Equal(4, r.GetProperty("max_output_tokens").GetInt32());
        Assert.Equal("v", r.GetProperty("metadata").GetProperty("k").GetString());
        Assert.Equal("text", r.GetProperty("text").GetProperty("format").GetProperty("type").GetString());
        Assert.Equal("auto", r.GetProperty("tool_choice").GetString());
        Assert.True(r.GetProperty("store").GetBoolean());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("error").ValueKind);
        Assert.Equal(JsonValueKind.Null, r.GetProperty("previous_response_id").ValueKind);
        var usage = r.GetProperty("usage");
        Assert.Equal(usage.GetProperty("input_tokens").GetInt32() + usage.GetProperty("output_tokens").GetInt32(), usage.GetProperty("total_tokens").GetInt32());
        Assert.Equal(0, usage.GetProperty("output_tokens_details").GetProperty("reasoning_tokens").GetInt32());
    }

    [Theory]
    [InlineData("""{"model":"stories260K"}""", 400, "input", "missing_required_parameter")]
    [InlineData("""{"model":"stories260K","input":5}""", 400, "input", "invalid_type")]
    [InlineData("""{"model":"stories260K","input":[]}""", 400, "input", "invalid_value")]
    [InlineData("""{"model":"stories260K","input":[{"role":"robot","content":"x"}]}""", 400, "input[0].role", "invalid_value")]
    [InlineData("""{"model":"stories260K","input":[{"role":"user","content":[{"type":"input_image","image_url":"x"}]}]}""", 400, "input[0].content[0].type", "invalid_value")]
    [InlineData("""{"model":"stories260K","input":[{"type":"web_search_call","id":"x"}]}""", 400, "input[0].type", "invalid_value")]
    [InlineData("""{"model":"stories260K","input":[{"type":"function_call_output","output":"x"}]}""", 400, "input[0].call_id", "missing_required_parameter")]
    [InlineData("""{"model":"stories260K","input":[{"type":"function_call","call_id":"c","name":"f","arguments":"[1]"}]}""", 400, "input[0].arguments", "invalid_value")]
    [InlineData("""{"model":"stories260K","input":"x","max_output_tokens":0}""", 400, "max_output_tokens", "invalid_value")]
    [InlineData("""{"model":"stories260K","input":"x","temperature":3}""", 400, "temperature", "invalid_value")]
    [InlineData("""{"model":"stories260K","input":"x","tools":[{"type":"web_search"}]}""", 400, "tools[0].type", "invalid_value")]
    [InlineData("""{"model":"stories260K","input":"x","tools":[{"type":"function"}]}""", 400, "tools[0].name", "missing_required_parameter")]
    [InlineData("""{"model":"stories260K","input":"x","tool_choice":"required"}""", 400, "tool_choice", "invalid_value")]
    [InlineData("""{"model":"stories260K","input":"x","tool_choice":{"type":"function"},"tools":""" + WeatherTool + "}", 400, "tool_choice.name", "missing_required_parameter")]
    [InlineData("""{"model":"stories260K","input":"x","tool_choice":{"type":"function","name":"nope"},"tools":""" + WeatherTool + "}", 400, "tool_choice", "invalid_value")]
    [InlineData("""{"model":"stories260K","input":"x","text":{"format":{"type":"yaml"}}}""", 400, "text.format.type", "invalid_value")]
    [InlineData("""{"model":"stories260K","input":"x","text":{"format":{"type":"json_schema","name":"n"}}}""", 400, "text.format.schema", "missing_required_parameter")]
    [InlineData("""{"model":"stories260K","input":"x","background":true}""", 400, "background", "invalid_value")]
    [InlineData("""{"model":"stories260K","input":"x","previous_response_id":"resp_nope"}""", 404, "previous_response_id", "previous_response_not_found")]
    [InlineData("""{"model":"gpt-4o","input":"x"}""", 404, "model", "model_not_found")]
    [InlineData("""{"model":"stories260K","input":"x","store":"yes"}""", 400, "store", "invalid_type")]
    public async Task Bad_requests_get_openai_errors_naming_the_field(string json, int status, string param, string code)
    {
        using var response = await Servers.PostAsync(fixture.Http, "v1/responses", json);
        Assert.Equal(status, (int)response.StatusCode);
        var error = await Servers.ErrorOf(response);
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Unknown_ids_are_404_for_get_and_delete()
    {
        using (var get = await fixture.Http.GetAsync("v1/responses/resp_missing"))
        {
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
            Assert.Contains("resp_missing", (await Servers.ErrorOf(get)).GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        using var delete = await fixture.Http.DeleteAsync("v1/responses/resp_missing");
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
    }

    [Fact]
    public void Store_keeps_at_most_the_count_and_drops_what_is_too_old()
    {
        var clock = new ManualClock();
        var store = new ResponseStore(clock) { MaxCount = 2, MaxAge = TimeSpan.FromMinutes(10) };
        store.Add(Stub("a"), []);
        store.Add(Stub("b"), []);
        store.Add(Stub("c"), []);
        Assert.Null(store.Get("a")); // the oldest went first
        Assert.NotNull(store.Get("b"));
        clock.Now += TimeSpan.FromMinutes(6);
        store.Add(Stub("d"), []);
        Assert.Equal(2, store.Count);
        clock.Now += TimeSpan.FromMinutes(5); // b and c are 11 minutes old, d 5
        Assert.Null(store.Get("c"));
        Assert.NotNull(store.Get("d"));
        Assert.Equal(1, store.Count);
        Assert.True(store.Remove("d"));
        Assert.False(store.Remove("d"));
    }

    private static ResponseObject Stub(string id) => new()
    {
        Id = id, CreatedAt = 0, Status = "completed", Model = "m",
        Text = ResponseOptions.PlainText, ToolChoice = ResponseOptions.Auto, Tools = ResponseOptions.EmptyArray,
    };

    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
