using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hearth.Chat;
using Hearth.Server.Endpoints.Anthropic;

namespace Hearth.Server.Tests;

/// <summary>
/// <c>/v1/messages</c> over raw HTTP: the exact server-sent event sequence (each frame's <c>event:</c> name matches its
/// <c>data</c>'s <c>type</c>, blocks are numbered from 0 and each opens, streams and closes before the next),
/// Anthropic's error shape, and the block split of <see cref="MessageShape"/> itself.
/// </summary>
public sealed partial class AnthropicRawTests(AnthropicFixture fixture) : IClassFixture<AnthropicFixture>
{
    private const string TimeTool = """
        {"name":"get_time","description":"Current time in a zone","input_schema":{"type":"object","properties":{"zone":{"type":"string","enum":["UTC","CET"]}},"required":["zone"]}}
        """;

    /// <summary>The <c>(event, data)</c> frames of a stream, each checked for a data type equal to its event name.</summary>
    private static List<(string Name, JsonElement Data)> Frames(string body)
    {
        var frames = new List<(string, JsonElement)>();
        foreach (string frame in body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = frame.Split('\n');
            Assert.Equal(2, lines.Length);
            Assert.StartsWith("event: ", lines[0], StringComparison.Ordinal);
            Assert.StartsWith("data: ", lines[1], StringComparison.Ordinal);
            string name = lines[0]["event: ".Length..];
            var data = JsonElement.Parse(lines[1]["data: ".Length..]);
            Assert.Equal(name, data.GetProperty("type").GetString());
            frames.Add((name, data));
        }
        return frames;
    }

    /// <summary>message_start, ping, then whole blocks (start, deltas, stop) numbered 0, 1, …, then message_delta, message_stop.</summary>
    private static void AssertOrder(List<(string Name, JsonElement Data)> frames)
    {
        string names = string.Join(" ", frames.Select(f => f.Name));
        Assert.Matches(EventOrder(), names);
        int expected = 0;
        int open = -1;
        foreach (var (name, data) in frames)
        {
            if (name == "content_block_start")
            {
                Assert.Equal(expected++, data.GetProperty("index").GetInt32());
                open = data.GetProperty("index").GetInt32();
            }
            else if (name is "content_block_delta" or "content_block_stop")
            {
                Assert.Equal(open, data.GetProperty("index").GetInt32());
            }
        }
    }

    [GeneratedRegex(@"^message_start ping( content_block_start( content_block_delta)+ content_block_stop)+ message_delta message_stop$")]
    private static partial Regex EventOrder();

    [Fact]
    public async Task Streamed_text_reply_is_anthropics_event_sequence()
    {
        using var response = await Servers.PostAsync(fixture.Http, "v1/messages",
            """{"model":"stories260K","max_tokens":12,"stream":true,"temperature":0,"messages":[{"role":"user","content":"Once upon a time"}]}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var frames = Frames(await response.Content.ReadAsStringAsync());
        AssertOrder(frames);
        var message = frames[0].Data.GetProperty("message");
        Assert.Equal("message", message.GetProperty("type").GetString());
        Assert.Equal("assistant", message.GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.Null, message.GetProperty("stop_reason").ValueKind);
        Assert.Equal(0, message.GetProperty("content").GetArrayLength());
        Assert.True(message.GetProperty("usage").GetProperty("input_tokens").GetInt32() > 0);
        var block = frames[2].Data.GetProperty("content_block");
        Assert.Equal("text", block.GetProperty("type").GetString());
        Assert.Equal("", block.GetProperty("text").GetString());
        Assert.All(frames.Where(f => f.Name == "content_block_delta"), f => Assert.Equal("text_delta", f.Data.GetProperty("delta").GetProperty("type").GetString()));
        var delta = frames[^2].Data;
        Assert.Equal("max_tokens", delta.GetProperty("delta").GetProperty("stop_reason").GetString());
        Assert.Equal(JsonValueKind.Null, delta.GetProperty("delta").GetProperty("stop_sequence").ValueKind);
        Assert.Equal(12, delta.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task Streamed_tool_use_is_a_tool_use_block_with_input_json_deltas()
    {
        string json = """{"model":"stories260K","max_tokens":150,"stream":true,"messages":[{"role":"user","content":"Time?"}],"tool_choice":{"type":"tool","name":"get_time"},"tools":[""" + TimeTool + "]}";
        using var response = await Servers.PostAsync(fixture.Http, "v1/messages", json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var frames = Frames(await response.Content.ReadAsStringAsync());
        AssertOrder(frames);
        var start = Assert.Single(frames, f => f.Name == "content_block_start").Data.GetProperty("content_block");
        Assert.Equal("tool_use", start.GetProperty("type").GetString());
        Assert.Equal("get_time", start.GetProperty("name").GetString());
        Assert.StartsWith("toolu_", start.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Object, start.GetProperty("input").ValueKind);
        Assert.Empty(start.GetProperty("input").EnumerateObject());
        string input = string.Concat(frames.Where(f => f.Name == "content_block_delta").Select(f =>
        {
            var d = f.Data.GetProperty("delta");
            Assert.Equal("input_json_delta", d.GetProperty("type").GetString());
            return d.GetProperty("partial_json").GetString();
        }));
        var zone = JsonElement.Parse(input).GetProperty("zone").GetString();
        Assert.Contains(zone, new[] { "UTC", "CET" });
        Assert.Equal("tool_use", frames[^2].Data.GetProperty("delta").GetProperty("stop_reason").GetString());
    }

    [Fact]
    public async Task Streamed_thinking_is_a_thinking_block_with_thinking_deltas()
    {
        using var http = Servers.Client(fixture.Thinking);
        using var response = await Servers.PostAsync(http, "v1/messages",
            """{"model":"stories260K","max_tokens":8,"stream":true,"thinking":{"type":"enabled","budget_tokens":1024},"messages":[{"role":"user","content":"Why?"}]}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var frames = Frames(await response.Content.ReadAsStringAsync());
        AssertOrder(frames);
        var start = Assert.Single(frames, f => f.Name == "content_block_start").Data.GetProperty("content_block");
        Assert.Equal("thinking", start.GetProperty("type").GetString());
        Assert.Equal("", start.GetProperty("thinking").GetString());
        Assert.All(frames.Where(f => f.Name == "content_block_delta"), f => Assert.Equal("thinking_delta", f.Data.GetProperty("delta").GetProperty("type").GetString()));
    }

    [Theory]
    [InlineData("""{"model":"stories260K","messages":[{"role":"user","content":"hi"}]}""", "max_tokens")]
    [InlineData("""{"model":"stories260K","max_tokens":5,"messages":[]}""", "messages")]
    [InlineData("""{"model":"stories260K","max_tokens":5,"messages":[{"role":"tool","content":"hi"}]}""", "messages[0].role")]
    [InlineData("""{"model":"stories260K","max_tokens":5,"messages":[{"role":"user","content":[{"type":"image","source":{}}]}]}""", "messages[0].content[0].type")]
    [InlineData("""{"model":"stories260K","max_tokens":5,"top_k":-1,"messages":[{"role":"user","content":"hi"}]}""", "top_k")]
    [InlineData("""{"model":"stories260K","max_tokens":5,"stop_sequences":"x","messages":[{"role":"user","content":"hi"}]}""", "stop_sequences")]
    [InlineData("""{"model":"stories260K","max_tokens":5,"tool_choice":{"type":"any"},"messages":[{"role":"user","content":"hi"}]}""", "tool_choice")]
    [InlineData("""{"model":"stories260K","max_tokens":5,"tools":[{"name":"f"}],"messages":[{"role":"user","content":"hi"}]}""", "tools[0].input_schema")]
    [InlineData("""{"model":"stories260K","max_tokens":5,"thinking":{"type":"sometimes"},"messages":[{"role":"user","content":"hi"}]}""", "thinking.type")]
    [InlineData("""{"model":"stories260K","max_tokens":"five","messages":[{"role":"user","content":"hi"}]}""", "max_tokens")]
    public async Task Bad_request_is_400_in_anthropics_error_shape_naming_the_field(string json, string param)
    {
        using var response = await Servers.PostAsync(fixture.Http, "v1/messages", json);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var root = JsonElement.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("error", root.GetProperty("type").GetString());
        var error = root.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Contains($"'{param}'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, error.EnumerateObject().Count()); // type and message, no OpenAI fields
    }

    [Fact]
    public async Task Malformed_json_and_unknown_model_are_anthropic_errors_and_openai_routes_keep_their_shape()
    {
        using var malformed = await Servers.PostAsync(fixture.Http, "v1/messages/count_tokens", "{nope");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("invalid_request_error", JsonElement.Parse(await malformed.Content.ReadAsStringAsync()).GetProperty("error").GetProperty("type").GetString());
        using var missing = await Servers.PostAsync(fixture.Http, "v1/messages", """{"model":"claude-x","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("not_found_error", JsonElement.Parse(await missing.Content.ReadAsStringAsync()).GetProperty("error").GetProperty("type").GetString());
        using var chat = await Servers.PostAsync(fixture.Http, "v1/chat/completions", "{nope");
        Assert.Equal("invalid_json", (await Servers.ErrorOf(chat)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Anthropic_version_header_and_system_blocks_are_accepted_and_count_tokens_counts_them()
    {
        using var http = Servers.Client(fixture.Server);
        http.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        const string Plain = """{"model":"stories260K","messages":[{"role":"user","content":"hi"}]}""";
        const string WithSystem = """{"model":"stories260K","system":[{"type":"text","text":"Be kind."},{"type":"text","text":"Be brief."}],"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}""";
        using var a = await Servers.PostAsync(http, "v1/messages/count_tokens", Plain);
        using var b = await Servers.PostAsync(http, "v1/messages/count_tokens", WithSystem);
        Assert.Equal(HttpStatusCode.OK, a.StatusCode);
        int plain = JsonElement.Parse(await a.Content.ReadAsStringAsync()).GetProperty("input_tokens").GetInt32();
        int system = JsonElement.Parse(await b.Content.ReadAsStringAsync()).GetProperty("input_tokens").GetInt32();
        Assert.True(system > plain + 10, $"{system} vs {plain}");
    }

    [Fact]
    public void Shape_splits_reasoning_text_and_calls_into_blocks_whole_and_streamed()
    {
        var stats = new GenerationStats(FinishReason.EndOfGeneration, 10, 4, 7);
        var stream = new MessageShape("msg_1", "m", new ReasoningParser(), null, [], stream: true);
        var events = stream.Start(10);
        foreach (string piece in new[] { "<th", "ink>Let me ", "see.</th", "ink>\n\nIt is ", "blue." }) events.AddRange(stream.Push(piece));
        events.AddRange(stream.Finish(stats));
        var frames = Frames(string.Concat(events.Select(e => $"event: {e.Name}\ndata: {e.Data}\n\n")));
        AssertOrder(frames);
        string Joined(string type, string field) => string.Concat(frames.Where(f => f.Name == "content_block_delta")
            .Select(f => f.Data.GetProperty("delta")).Where(d => d.GetProperty("type").GetString() == type).Select(d => d.GetProperty(field).GetString()));
        Assert.Equal("Let me see.", Joined("thinking_delta", "thinking"));
        Assert.Equal("It is blue.", Joined("text_delta", "text"));
        var usage = frames[^2].Data.GetProperty("usage");
        Assert.Equal(6, usage.GetProperty("input_tokens").GetInt32());
        Assert.Equal(4, usage.GetProperty("cache_read_input_tokens").GetInt32());
        Assert.Equal(7, usage.GetProperty("output_tokens").GetInt32());
        Assert.Equal("end_turn", frames[^2].Data.GetProperty("delta").GetProperty("stop_reason").GetString());

        var whole = JsonElement.Parse(new MessageShape("msg_1", "m", new ReasoningParser(), null, ["\n\n"], stream: false)
            .Whole("<think>Let me see.</think>\n\nIt is blue.", stats with { FinishReason = FinishReason.StopString }));
        var content = whole.GetProperty("content");
        Assert.Equal(2, content.GetArrayLength());
        Assert.Equal("thinking", content[0].GetProperty("type").GetString());
        Assert.Equal("Let me see.", content[0].GetProperty("thinking").GetString());
        Assert.Equal("It is blue.", content[1].GetProperty("text").GetString());
        Assert.Equal("stop_sequence", whole.GetProperty("stop_reason").GetString());
        Assert.Equal("\n\n", whole.GetProperty("stop_sequence").GetString());
    }
}
