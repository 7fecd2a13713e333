using System.Net;
using System.Text;
using System.Text.Json;

namespace Hearth.Server.Tests;

/// <summary><c>/v1/completions</c> and the SSE framing, over raw HTTP.</summary>
public sealed class CompletionTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private async Task<JsonElement> Complete(string json)
    {
        using var response = await Servers.PostAsync(fixture.Http, "v1/completions", json);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task Greedy_completion_continues_like_llama_cpp()
    {
        // testdata README: llama.cpp greedy from "Once upon a time" continues ", there was a little girl named Lily."
        var r = await Complete("""{"model":"stories260K","prompt":"Once upon a time","max_tokens":12,"temperature":0}""");
        Assert.Equal("text_completion", r.GetProperty("object").GetString());
        var choice = r.GetProperty("choices")[0];
        Assert.StartsWith(", there was a little girl named Lily", choice.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(12, r.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Stop_string_ends_the_text_before_it()
    {
        var r = await Complete("""{"model":"stories260K","prompt":"Once upon a time","max_tokens":40,"temperature":0,"stop":["Lily"]}""");
        var choice = r.GetProperty("choices")[0];
        Assert.Equal(", there was a little girl named ", choice.GetProperty("text").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Logit_bias_forces_a_token()
    {
        // Token 300 pushed by +100 wins every greedy step: the text is that piece repeated.
        var r = await Complete("""{"model":"stories260K","prompt":"Once upon a time","max_tokens":5,"temperature":0,"logit_bias":{"300":100}}""");
        string text = r.GetProperty("choices")[0].GetProperty("text").GetString()!;
        Assert.Equal(5, r.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        string piece = text[..(text.Length / 5)];
        Assert.Equal(string.Concat(Enumerable.Repeat(piece, 5)), text);
    }

    [Theory]
    [InlineData("v1/completions", """{"model":"stories260K","prompt":"Once upon a time","max_tokens":4,"temperature":0,"stream":true,"logit_bias":{"1":100}}""")]
    [InlineData("v1/chat/completions", """{"model":"stories260K","messages":[{"role":"user","content":"hi"}],"max_tokens":4,"temperature":0,"stream":true,"logit_bias":{"1":100}}""")]
    public async Task Control_tokens_never_reach_the_streamed_text(string path, string body)
    {
        // BOS (1, "<s>", a control token) wins every step: four tokens are generated and none adds text.
        using var response = await Servers.PostAsync(fixture.Http, path, body);
        string raw = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, raw);
        Assert.DoesNotContain("<s>", raw, StringComparison.Ordinal);
        var text = new StringBuilder();
        foreach (string e in raw.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string data = e["data: ".Length..];
            if (data == "[DONE]") break;
            using var doc = JsonDocument.Parse(data);
            var choice = doc.RootElement.GetProperty("choices")[0];
            if (choice.TryGetProperty("text", out var t)) text.Append(t.GetString());
            if (choice.TryGetProperty("delta", out var d) && d.TryGetProperty("content", out var c)) text.Append(c.GetString());
        }
        Assert.Equal("", text.ToString());
    }

    [Fact]
    public async Task Token_id_prompt_of_bos_alone_gives_the_llama_cpp_story_opening()
    {
        // BOS (1) alone: llama.cpp's greedy story opening from the testdata README.
        var bos = await Complete("""{"model":"stories260K","prompt":[1],"max_tokens":20,"temperature":0}""");
        Assert.StartsWith(" Once upon a time, there was a little girl", bos.GetProperty("choices")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_is_server_sent_events_ending_in_done()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = Servers.Json("""{"model":"stories260K","messages":[{"role":"user","content":"Once upon a time"}],"max_tokens":10,"temperature":0,"stream":true,"stream_options":{"include_usage":true}}"""),
        };
        using var response = await fixture.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        string raw = await response.Content.ReadAsStringAsync();

        // Every event is one "data: " line followed by a blank line; the last is [DONE].
        Assert.EndsWith("\n\n", raw, StringComparison.Ordinal);
        string[] events = raw[..^2].Split("\n\n");
        Assert.All(events, e => Assert.StartsWith("data: ", e, StringComparison.Ordinal));
        Assert.All(events, e => Assert.DoesNotContain('\n', e));
        Assert.Equal("data: [DONE]", events[^1]);

        var chunks = events[..^1].Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.Single(chunks.Select(c => c.GetProperty("id").GetString()).Distinct());
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        var text = new StringBuilder();
        string? finish = null;
        foreach (var c in chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0))
        {
            var choice = c.GetProperty("choices")[0];
            if (choice.GetProperty("delta").TryGetProperty("content", out var content)) text.Append(content.GetString());
            if (choice.GetProperty("finish_reason").ValueKind == JsonValueKind.String) finish = choice.GetProperty("finish_reason").GetString();
        }
        Assert.Equal("length", finish);
        Assert.NotEmpty(text.ToString());
        // include_usage: one extra last chunk with no choices and the counts.
        var last = chunks[^1];
        Assert.Equal(0, last.GetProperty("choices").GetArrayLength());
        Assert.Equal(10, last.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Completion_stream_matches_the_non_stream_text()
    {
        const string Body = """{"model":"stories260K","prompt":"The dog","max_tokens":20,"temperature":0""";
        var whole = await Complete(Body + "}");
        using var response = await Servers.PostAsync(fixture.Http, "v1/completions", Body + ",\"stream\":true}");
        string raw = await response.Content.ReadAsStringAsync();
        var text = new StringBuilder();
        foreach (string e in raw.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string data = e["data: ".Length..];
            if (data == "[DONE]") break;
            using var doc = JsonDocument.Parse(data);
            text.Append(doc.RootElement.GetProperty("choices")[0].GetProperty("text").GetString());
        }
        Assert.Equal(whole.GetProperty("choices")[0].GetProperty("text").GetString(), text.ToString());
    }

    [Fact]
    public async Task Embeddings_base64_and_float_agree()
    {
        using var f = await Servers.PostAsync(fixture.Http, "v1/embeddings", """{"model":"stories260K","input":"The cat sat."}""");
        using var b = await Servers.PostAsync(fixture.Http, "v1/embeddings", """{"model":"stories260K","input":["The cat sat."],"encoding_format":"base64"}""");
        using var fd = JsonDocument.Parse(await f.Content.ReadAsStringAsync());
        using var bd = JsonDocument.Parse(await b.Content.ReadAsStringAsync());
        float[] floats = fd.RootElement.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(x => x.GetSingle()).ToArray();
        byte[] bytes = Convert.FromBase64String(bd.RootElement.GetProperty("data")[0].GetProperty("embedding").GetString()!);
        float[] decoded = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, decoded, 0, bytes.Length);
        Assert.Equal(floats, decoded);
        Assert.True(fd.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32() > 0);
    }
}
