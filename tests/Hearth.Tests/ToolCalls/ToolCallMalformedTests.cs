using System.Text.Json;
using Hearth.Chat;
using Hearth.Chat.ToolCalls;
using static Hearth.Tests.ToolCalls.ToolCallTestData;

namespace Hearth.Tests.ToolCalls;

/// <summary>Model output that is not a clean call: it becomes content or an error, never an exception, streamed or not.</summary>
public class ToolCallMalformedTests
{
    public static TheoryData<ToolCallFormat, string> TruncatedInArguments => new()
    {
        { ToolCallFormat.Hermes, "<tool_call>\n{\"name\": \"test\", \"arguments\": {\"condition\": tr" },
        { ToolCallFormat.Llama3Json, "{\"name\": \"brave_search\", \"parameters\": {\"query\": \"what is" },
        { ToolCallFormat.Mistral, "[TOOL_CALLS][{\"name\": \"test\", \"arguments\": {\"condition\"" },
        { ToolCallFormat.DeepSeekR1, "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>test\n```json\n{\"cond" },
    };

    [Theory]
    [MemberData(nameof(TruncatedInArguments))]
    public void A_call_cut_off_in_its_arguments_is_kept_with_an_error(ToolCallFormat format, string text)
    {
        var result = ToolCallParser.Parse(text, format, ToolNames);
        var call = Assert.Single(result.ToolCalls);
        Assert.Contains("cut off", result.Error, StringComparison.Ordinal);
        Assert.True(text.EndsWith(call.Arguments, StringComparison.Ordinal), call.Arguments); // the truncated text, as OpenAI returns it at max_tokens
        Assert.Equal("", result.Content);
        for (int seed = 1; seed <= 10; seed++) AssertSameResult(ToolCallParser.Parse(text, format, ToolNames, CountingIds()), Stream(text, format, ToolNames, seed, 4));
    }

    public static TheoryData<ToolCallFormat, string> NotCalls => new()
    {
        { ToolCallFormat.Hermes, "Sure. <tool_call>\n{\"na" },                                                          // cut off before the name
        { ToolCallFormat.Hermes, "<tool_call>\n{\"name\": \"rm_rf\", \"arguments\": {}}\n</tool_call>" },                // unknown function
        { ToolCallFormat.Hermes, "Use <tool_call> tags, like <tool_call>this</tool_call>." },                          // prose about the syntax
        { ToolCallFormat.Llama3Json, "{\"answer\": 42}" },                                                              // JSON that is not a call
        { ToolCallFormat.Llama3Json, "Here: {\"name\": \"test\", \"parameters\": {\"condition\": true}}" },             // not at the start
        { ToolCallFormat.Llama3Json, "<|python_tag|>" },
        { ToolCallFormat.Mistral, "[TOOL_CALLS]no such tool[ARGS]{}" },
        { ToolCallFormat.Mistral, "[TOOL_CALLS][{\"arguments\": {}, \"name\": \"test\"}]" },                            // arguments before the name
        { ToolCallFormat.DeepSeekR1, "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>unknown\n```json\n{}\n```<｜tool▁call▁end｜>" },
        { ToolCallFormat.Generic, "{\"tool_calls\": [{\"name\": \"test\", \"arguments\": {\"condition\": tr" },           // truncated JSON
        { ToolCallFormat.Generic, "{\"tool_call\": {\"name\": \"unknown\", \"arguments\": {}}}" },
        { ToolCallFormat.Generic, "  {\"weather\": \"sunny\"}" },
    };

    [Theory]
    [MemberData(nameof(NotCalls))]
    public void Text_that_is_not_a_valid_call_is_content(ToolCallFormat format, string text)
    {
        var result = ToolCallParser.Parse(text, format, ToolNames);
        Assert.Empty(result.ToolCalls);
        Assert.Null(result.Error);
        Assert.Equal(text, result.Content);
        for (int seed = 1; seed <= 10; seed++) AssertSameResult(result, Stream(text, format, ToolNames, seed, 4));
    }

    [Fact]
    public void Arguments_that_are_not_valid_json_are_an_error()
    {
        var result = ToolCallParser.Parse("<tool_call>\n{\"name\": \"test\", \"arguments\": {\"condition\": tru}}\n</tool_call>", ToolCallFormat.Hermes, ToolNames);
        Assert.Single(result.ToolCalls);
        Assert.Contains("not a valid JSON object", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_close_tag_at_the_end_is_tolerated()
    {
        var result = ToolCallParser.Parse("<tool_call>\n{\"name\": \"test\", \"arguments\": {\"condition\": true}}\n</tool_", ToolCallFormat.Hermes, ToolNames);
        Assert.Null(result.Error);
        Assert.Equal("", result.Content);
        Assert.Equal("{\"condition\": true}", Assert.Single(result.ToolCalls).Arguments);
    }

    [Fact]
    public void Generic_response_is_content()
    {
        var result = ToolCallParser.Parse("{\"response\": \"Hello there\"}", ToolCallFormat.Generic, ToolNames);
        Assert.Equal("Hello there", result.Content);
        Assert.Empty(result.ToolCalls);
    }

    [Fact]
    public void Random_text_mixing_marker_pieces_never_throws_and_streams_like_a_full_parse()
    {
        string[] pieces =
        [
            "<tool_call>", "</tool_call>", "{\"name\": \"test\", \"arguments\": ", "{\"condition\": true}", "}", "\n", " ", "[TOOL_CALLS]", "[ARGS]",
            "[", "]", ",", "test", "<|python_tag|>", "brave_search.call(query=\"a\")", "<｜tool▁calls▁begin｜>", "<｜tool▁call▁begin｜>", "function",
            "<｜tool▁sep｜>", "```json\n", "```", "<｜tool▁call▁end｜>", "<｜tool▁calls▁end｜>", "\"", "\\", "{", "hello", "<", "｜", "{\"response\": \"x\"}",
        ];
        var rng = new Random(7);
        foreach (var format in Enum.GetValues<ToolCallFormat>())
        {
            for (int n = 0; n < 150; n++)
            {
                var sb = new System.Text.StringBuilder();
                int len = rng.Next(1, 14);
                for (int i = 0; i < len; i++) sb.Append(pieces[rng.Next(pieces.Length)]);
                string text = sb.ToString();
                var full = ToolCallParser.Parse(text, format, ToolNames, CountingIds());
                AssertSameResult(full, Stream(text, format, ToolNames, n, 5));
            }
        }
    }

    [Fact]
    public void Every_two_piece_split_gives_the_full_parse()
    {
        string[] texts =
        [
            "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>brave_search\n```json\n{\"query\": \"x\"}\n```<｜tool▁call▁end｜>\n<｜tool▁call▁begin｜>function<｜tool▁sep｜>ipython\n```json\n{\"code\": \"y\"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
            "Text first.\n<tool_call>\n{\"name\": \"test\", \"arguments\": {\"condition\": false}}\n</tool_call>\n<tool_call>\n{\"name\": \"ipython\", \"arguments\": {\"code\": \"}\"}}\n</tool_call>",
        ];
        ToolCallFormat[] formats = [ToolCallFormat.DeepSeekR1, ToolCallFormat.Hermes];
        for (int t = 0; t < texts.Length; t++)
        {
            var full = ToolCallParser.Parse(texts[t], formats[t], ToolNames, CountingIds());
            Assert.Equal(2, full.ToolCalls.Count);
            for (int cut = 1; cut < texts[t].Length; cut++)
            {
                var p = new ToolCallParser(formats[t], ToolNames, CountingIds());
                p.Push(texts[t][..cut]);
                p.Push(texts[t][cut..]);
                p.Finish();
                AssertSameResult(full, p.Result);
            }
        }
    }

    [Fact]
    public void Push_after_finish_is_an_error()
    {
        var p = new ToolCallParser(ToolCallFormat.Hermes);
        p.Finish();
        var e = Assert.Throws<InvalidOperationException>(() => p.Push("x"));
        Assert.Contains("new ToolCallParser", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_tools_are_reported_with_what_is_wrong()
    {
        var template = ChatTemplate.Parse("{{ messages }}");
        using var notArray = JsonDocument.Parse("{\"name\": \"x\"}");
        Assert.Contains("must be a JSON array", Assert.Throws<ArgumentException>(() => ToolCallParser.ForTemplate(template, notArray.RootElement)).Message, StringComparison.Ordinal);
        using var noName = JsonDocument.Parse("[{\"type\": \"function\", \"function\": {\"parameters\": {}}}]");
        Assert.Contains("tools[0] has no function name", Assert.Throws<ArgumentException>(() => ToolCallParser.ForTemplate(template, noName.RootElement)).Message, StringComparison.Ordinal);
        using var badParams = JsonDocument.Parse("[{\"type\": \"function\", \"function\": {\"name\": \"f\", \"parameters\": 3}}]");
        Assert.Contains("expected a JSON Schema object", Assert.Throws<ArgumentException>(() => ToolCallGrammar.Build(ToolCallFormat.Hermes, badParams.RootElement)).Message, StringComparison.Ordinal);
        Assert.Contains("not among the tools", Assert.Throws<ArgumentException>(() => ToolCallGrammar.Build(ToolCallFormat.Hermes, Tools, "nope")).Message, StringComparison.Ordinal);
    }
}
