using System.Net;
using System.Text.Json;
using Hearth.Chat;
using Hearth.Server.Endpoints;
using Hearth.Server.Protocol;

namespace Hearth.Server.Tests;

/// <summary><c>response_format</c> (grammar-constrained JSON) and <c>reasoning_content</c>.</summary>
public sealed class ResponseFormatTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Json_schema_output_is_valid_json_matching_the_schema()
    {
        const string Json = """
            {"model":"stories260K","messages":[{"role":"user","content":"Is the sky blue?"}],"temperature":0,"max_tokens":60,
             "response_format":{"type":"json_schema","json_schema":{"name":"answer","strict":true,
               "schema":{"type":"object","properties":{"yes":{"type":"boolean"}},"required":["yes"],"additionalProperties":false}}}}
            """;
        using var response = await Servers.PostAsync(fixture.Http, "v1/chat/completions", Json);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        var choice = doc.RootElement.GetProperty("choices")[0];
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        string content = choice.GetProperty("message").GetProperty("content").GetString()!;
        using var answer = JsonDocument.Parse(content); // a model that knows no JSON still produces it
        var property = Assert.Single(answer.RootElement.EnumerateObject());
        Assert.Equal("yes", property.Name);
        Assert.True(property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False);
    }

    [Fact]
    public async Task Unsupported_schema_or_format_type_is_400()
    {
        using var bad = await Servers.PostAsync(fixture.Http, "v1/chat/completions",
            """{"model":"stories260K","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"yaml"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("response_format.type", (await Servers.ErrorOf(bad)).GetProperty("param").GetString());
        using var schema = await Servers.PostAsync(fixture.Http, "v1/chat/completions",
            """{"model":"stories260K","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"schema":false}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, schema.StatusCode);
        Assert.Equal("response_format.json_schema.schema", (await Servers.ErrorOf(schema)).GetProperty("param").GetString());
    }

    [Fact]
    public void Think_block_goes_to_reasoning_content_in_chunks_and_whole()
    {
        var stream = new ChatShape("id", 0, "m", new ReasoningParser());
        var chunks = new List<string>();
        foreach (string piece in new[] { "<th", "ink>Let me ", "see.</th", "ink>\n\nIt is ", "blue." })
        {
            chunks.AddRange(stream.TextChunks(piece));
        }
        chunks.AddRange(stream.FinalChunks("stop"));
        string reasoning = "", content = "";
        foreach (string c in chunks)
        {
            var delta = JsonSerializer.Deserialize(c, ServerJsonContext.Default.ChatCompletionChunk)!.Choices[0].Delta;
            reasoning += delta.ReasoningContent;
            content += delta.Content;
        }
        Assert.Equal("Let me see.", reasoning);
        Assert.Equal("It is blue.", content);

        var whole = new ChatShape("id", 0, "m", new ReasoningParser());
        using var doc = JsonDocument.Parse(whole.Whole("<think>Let me see.</think>\n\nIt is blue.", "stop", new Usage()));
        var message = doc.RootElement.GetProperty("choices")[0].GetProperty("message");
        Assert.Equal("Let me see.", message.GetProperty("reasoning_content").GetString());
        Assert.Equal("It is blue.", message.GetProperty("content").GetString());
    }
}
