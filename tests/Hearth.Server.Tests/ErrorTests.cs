using System.Net;

namespace Hearth.Server.Tests;

/// <summary>Bad requests get OpenAI error JSON with the right status, naming the offending parameter.</summary>
public sealed class ErrorTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Chat = "v1/chat/completions";

    private async Task<(HttpStatusCode Status, System.Text.Json.JsonElement Error)> Post(string path, string json)
    {
        using var response = await Servers.PostAsync(fixture.Http, path, json);
        return (response.StatusCode, await Servers.ErrorOf(response));
    }

    [Fact]
    public async Task Malformed_json_is_400()
    {
        var (status, error) = await Post(Chat, """{"model":"stories260K","messages":[""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("invalid_json", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_body_that_is_not_an_object_is_400()
    {
        var (status, error) = await Post(Chat, "[1,2,3]");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("JSON object", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}]}""", "model")]
    [InlineData("""{"model":"stories260K"}""", "messages")]
    [InlineData("""{"model":"stories260K","messages":[{"content":"hi"}]}""", "messages[0].role")]
    [InlineData("""{"model":"stories260K","messages":[{"role":"user"}]}""", "messages[0].content")]
    public async Task Missing_field_is_400_naming_it(string json, string param)
    {
        var (status, error) = await Post(Chat, json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Contains(param, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model":"stories260K","messages":[{"role":"user","content":"hi"}],"temperature":"hot"}""", "temperature")]
    [InlineData("""{"model":"stories260K","messages":[{"role":"user","content":"hi"}],"max_tokens":1.5}""", "max_tokens")]
    [InlineData("""{"model":"stories260K","messages":"hi"}""", "messages")]
    [InlineData("""{"model":"stories260K","messages":[{"role":"user","content":42}]}""", "messages[0].content")]
    [InlineData("""{"model":"stories260K","messages":[{"role":7,"content":"hi"}]}""", "messages[0].role")]
    [InlineData("""{"model":"stories260K","messages":[{"role":"user","content":"hi"}],"stop":5}""", "stop")]
    [InlineData("""{"model":"stories260K","messages":[{"role":"user","content":"hi"}],"stream":"yes"}""", "stream")]
    [InlineData("""{"model":42,"messages":[{"role":"user","content":"hi"}]}""", "model")]
    public async Task Wrong_type_is_400_naming_the_field(string json, string param)
    {
        var (status, error) = await Post(Chat, json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Theory]
    [InlineData("\"temperature\":2.5", "temperature")]
    [InlineData("\"top_p\":1.5", "top_p")]
    [InlineData("\"presence_penalty\":-3", "presence_penalty")]
    [InlineData("\"max_tokens\":0", "max_tokens")]
    [InlineData("\"n\":2", "n")]
    [InlineData("\"logit_bias\":{\"99999\":1}", "logit_bias")]
    [InlineData("\"logit_bias\":{\"5\":500}", "logit_bias")]
    [InlineData("\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]", "stop")]
    public async Task Out_of_range_value_is_400_naming_the_field(string field, string param)
    {
        var (status, error) = await Post(Chat, $$"""{"model":"stories260K","messages":[{"role":"user","content":"hi"}],{{field}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Theory]
    [InlineData("gpt-4o")]
    [InlineData("/etc/passwd")]
    [InlineData("../../../shared/testdata/gguf/stories260K-F16.gguf")]
    public async Task Unknown_model_is_404_and_never_a_path(string model)
    {
        var (status, error) = await Post(Chat, $$"""{"model":{{System.Text.Json.JsonSerializer.Serialize(model)}},"messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("model_not_found", error.GetProperty("code").GetString());
        Assert.Equal("model", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task Prompt_longer_than_the_context_is_400_with_both_counts()
    {
        // Token ids avoid depending on how text tokenizes: 300 prompt tokens against a 256-token context.
        string ids = string.Join(",", Enumerable.Repeat(300, 300));
        var (status, error) = await Post("v1/completions", $$"""{"model":"stories260K","prompt":[{{ids}}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("context_length_exceeded", error.GetProperty("code").GetString());
        string message = error.GetProperty("message").GetString()!;
        Assert.Contains("256", message, StringComparison.Ordinal);
        Assert.Contains("300", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_prompt_longer_than_the_context_is_400()
    {
        string longText = string.Concat(Enumerable.Repeat("The little dog ran to the park and played. ", 60));
        var (status, error) = await Post(Chat, $$"""{"model":"stories260K","messages":[{"role":"user","content":"{{longText}}"}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("messages", error.GetProperty("param").GetString());
        Assert.Contains("maximum context length is 256 tokens", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_id_outside_the_vocabulary_is_400()
    {
        var (status, error) = await Post("v1/completions", """{"model":"stories260K","prompt":[1,512]}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("512", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_endpoint_is_404_json()
    {
        using var response = await fixture.Http.GetAsync("v1/files/etc/passwd");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = await Servers.ErrorOf(response);
        Assert.Equal("unknown_url", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Embeddings_reject_bad_input()
    {
        var (status, error) = await Post("v1/embeddings", """{"model":"stories260K","input":{"text":"x"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("input", error.GetProperty("param").GetString());
        (status, error) = await Post("v1/embeddings", """{"model":"stories260K","input":"hi","encoding_format":"int8"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("encoding_format", error.GetProperty("param").GetString());
    }
}
