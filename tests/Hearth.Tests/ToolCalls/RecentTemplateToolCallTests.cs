using Hearth.Chat;
using Hearth.Chat.ToolCalls;
using static Hearth.Tests.ToolCalls.ToolCallTestData;

namespace Hearth.Tests.ToolCalls;

/// <summary>
/// Tool calls and reasoning for the real templates of Qwen3-Coder (XML-style calls), Ministral 3 Reasoning
/// (<c>[TOOL_CALLS]name[ARGS]{...}</c>, <c>[THINK]</c> reasoning) and SmolLM3 (no native tool syntax: the generic JSON
/// form llama.cpp polyfills; <c>&lt;think&gt;</c> reasoning under /think, an empty closed block under /no_think), all
/// from llama.cpp's models/templates, kept in ChatTemplates/recent-goldens/templates: render calls the way the template
/// renders past calls, parse the reply back whole and streamed in random pieces.
/// </summary>
public class RecentTemplateToolCallTests
{
    private const string Qwen3Coder = "Qwen3-Coder.jinja";
    private const string Ministral3 = "mistralai-Ministral-3-14B-Reasoning-2512.jinja";
    private const string SmolLm3 = "HuggingFaceTB-SmolLM3-3B.jinja";

    private static readonly ChatTemplateToolCall Search = new("brave_search", "{\"query\": \"what is truth anyway am I right?\"}", "call_3___");
    private static readonly ChatTemplateToolCall Test = new("test", "{\"condition\":true}", "call_2___");
    private static readonly ChatTemplateToolCall Code = new("ipython", "{\"code\": \"print('Hello, \\\"World\\\"!')\\nx = {'a': [1, 2]}\"}", "call_1___");

    private static ChatTemplate Load(string name) =>
        ChatTemplate.Parse(File.ReadAllText(TestData.ProjectPath("ChatTemplates/recent-goldens/templates/" + name)));

    [Theory]
    [InlineData(Qwen3Coder, ToolCallFormat.Qwen3CoderXml)]
    [InlineData(Ministral3, ToolCallFormat.Mistral)]
    [InlineData(SmolLm3, ToolCallFormat.Generic)] // the template renders no tools: llama.cpp's generic polyfill
    public void Detects_the_format_of_the_real_template(string name, ToolCallFormat expected) =>
        Assert.Equal(expected, ToolCallFormats.Detect(Load(name)));

    [Fact]
    public void Qwen3_coder_calls_round_trip_whole_and_streamed()
    {
        var template = Load(Qwen3Coder);
        ChatTemplateToolCall[] calls = [Search, Test, Code];
        string reply = RenderReply(template, calls, "");
        Assert.StartsWith("<tool_call>\n<function=brave_search>\n<parameter=query>\nwhat is truth", reply, StringComparison.Ordinal);
        Assert.Contains("<parameter=condition>\nTrue\n</parameter>", reply, StringComparison.Ordinal); // Python's str(True)
        ToolCallParser Create() => ToolCallParser.ForTemplate(template, Tools, CountingIds());
        var full = Create();
        full.Push(reply);
        full.Finish();
        var result = full.Result;
        Assert.True(result.Error is null && result.Content == "", $"{result.Error} / '{result.Content}'");
        AssertSameCalls(calls, result.ToolCalls);
        foreach (string text in new[] { reply, "I will search.\n" + reply, reply + "\nDone." })
        {
            var whole = Create();
            whole.Push(text);
            whole.Finish();
            for (int seed = 1; seed <= 25; seed++) AssertSameResult(whole.Result, Stream(text, ToolCallFormat.Qwen3CoderXml, null, seed, create: Create));
            AssertSameResult(whole.Result, Stream(text, ToolCallFormat.Qwen3CoderXml, null, 99, maxPiece: 1, create: Create));
        }
        // The parsed calls render back to the same text (they feed the next turn).
        Assert.Equal(reply, RenderReply(template, result.ToolCalls, ""));
    }

    [Fact]
    public void Qwen3_coder_schema_types_the_values()
    {
        var template = Load(Qwen3Coder);
        // "42" for the string-typed query stays a string; without schemas it would be a number.
        string reply = "<tool_call>\n<function=brave_search>\n<parameter=query>\n42\n</parameter>\n</function>\n</tool_call>";
        var typed = ToolCallParser.ForTemplate(template, Tools);
        typed.Push(reply);
        typed.Finish();
        Assert.Equal("{\"query\": \"42\"}", Assert.Single(typed.Result.ToolCalls).Arguments);
        Assert.Equal("{\"query\": 42}", Assert.Single(ToolCallParser.Parse(reply, ToolCallFormat.Qwen3CoderXml).ToolCalls).Arguments);
    }

    [Theory]
    [InlineData("<function=test>\n<parameter=condition>\nfalse\n</parameter>\n</function>\n</tool_call>", "test", "{\"condition\": false}")] // <tool_call> left out, as llama.cpp accepts
    [InlineData("<tool_call>\n<function=ipython>\n</function>\n</tool_call>", "ipython", "{}")]
    [InlineData("<tool_call>\n<function=ipython>\n<parameter=code>\n<b>x</b> & \"y\"\n</parameter>\n</function>", "ipython", "{\"code\": \"<b>x</b> & \\\"y\\\"\"}")] // cut off before </tool_call>
    public void Qwen3_coder_variants_parse(string reply, string name, string arguments)
    {
        var result = ToolCallParser.Parse(reply, ToolCallFormat.Qwen3CoderXml, ToolNames);
        var call = Assert.Single(result.ToolCalls);
        Assert.Equal(name, call.Name);
        Assert.Equal(arguments, call.Arguments);
        Assert.Equal("", result.Content);
    }

    [Theory]
    [InlineData("#include <functional>\nint main() {}")]
    [InlineData("<tool_call>\n<function=unknown_tool>\n</function>\n</tool_call>")]
    [InlineData("<tool_call>\n<function=ipython>\n<parameter=code>\nprint(1)")] // cut off inside a value
    public void Qwen3_coder_text_that_is_not_a_complete_known_call_stays_content(string reply)
    {
        var result = ToolCallParser.Parse(reply, ToolCallFormat.Qwen3CoderXml, ToolNames);
        Assert.Empty(result.ToolCalls);
        Assert.Equal(reply, result.Content);
    }

    [Fact]
    public void Qwen3_coder_grammar_forces_the_xml_form()
    {
        string gbnf = ToolCallGrammar.BuildGbnf(ToolCallFormat.Qwen3CoderXml, Tools, "test");
        Assert.Contains("\"<tool_call>\\n<function=test>\\n\"", gbnf, StringComparison.Ordinal);
        Assert.Contains("\"<parameter=condition>\\n\"", gbnf, StringComparison.Ordinal);
        var grammar = Hearth.Sampling.Grammar.Parse(gbnf);
        Assert.NotNull(grammar);
    }

    [Fact]
    public void Ministral3_calls_round_trip_whole_and_streamed()
    {
        var template = Load(Ministral3);
        ChatTemplateToolCall[] calls = [new(Search.Name, Search.Arguments, "abcDEF123"), new(Test.Name, Test.Arguments, "xyzXYZ789"), new(Code.Name, Code.Arguments, "Zz0Zz0Zz0")];
        string reply = RenderReply(template, calls, "");
        Assert.StartsWith("[TOOL_CALLS]brave_search[ARGS]{", reply, StringComparison.Ordinal);
        var result = ToolCallParser.Parse(reply, ToolCallFormat.Mistral, ToolNames);
        Assert.True(result.Error is null && result.Content == "", $"{result.Error} / {result.Content}");
        AssertSameCalls(calls, result.ToolCalls);
        for (int seed = 1; seed <= 25; seed++)
            AssertSameResult(ToolCallParser.Parse(reply, ToolCallFormat.Mistral, ToolNames, CountingIds()), Stream(reply, ToolCallFormat.Mistral, ToolNames, seed));
    }

    [Fact]
    public void Ministral3_reasoning_uses_think_brackets()
    {
        var template = Load(Ministral3);
        var (open, close) = ReasoningParser.TagsOf(template.Source, out bool reasons);
        Assert.True(reasons);
        Assert.Equal(("[THINK]", "[/THINK]"), (open, close));
        string prompt = template.Render(new ChatTemplateContext
        {
            Messages = [ChatTemplateMessage.User("Hi")], AddGenerationPrompt = true, BosToken = "<s>", EosToken = "</s>",
        });
        // The default system prompt shows the tags closed; the reply opens its own block.
        Assert.False(ReasoningParser.PromptOpensReasoning(prompt, open, close));
        const string reply = "[THINK]The user greets me.\nBe brief.[/THINK]Hello![TOOL_CALLS]test[ARGS]{\"condition\": true}";
        AssertSplitsInAnyChunking(reply, open, close, "The user greets me.\nBe brief.", "Hello![TOOL_CALLS]test[ARGS]{\"condition\": true}");
        var calls = ToolCallParser.Parse("Hello![TOOL_CALLS]test[ARGS]{\"condition\": true}", ToolCallFormat.Mistral, ToolNames);
        Assert.Equal("Hello!", calls.Content);
        Assert.Equal("test", Assert.Single(calls.ToolCalls).Name);
    }

    [Fact]
    public void SmolLm3_think_and_no_think_modes()
    {
        var template = Load(SmolLm3);
        var (open, close) = ReasoningParser.TagsOf(template.Source, out bool reasons);
        Assert.True(reasons);
        string Prompt(string system) => template.Render(new ChatTemplateContext
        {
            Messages = [ChatTemplateMessage.System(system), ChatTemplateMessage.User("Hi")], AddGenerationPrompt = true,
        });
        string thinking = Prompt("Be kind. /think"), plain = Prompt("Be kind. /no_think");
        Assert.Contains("Reasoning Mode: /think", thinking, StringComparison.Ordinal);
        Assert.EndsWith("<|im_start|>assistant\n", thinking, StringComparison.Ordinal);
        Assert.Contains("Reasoning Mode: /no_think", plain, StringComparison.Ordinal);
        Assert.EndsWith("<|im_start|>assistant\n<think>\n\n</think>\n", plain, StringComparison.Ordinal);
        Assert.False(ReasoningParser.PromptOpensReasoning(thinking, open, close));
        Assert.False(ReasoningParser.PromptOpensReasoning(plain, open, close)); // the empty block is closed
        AssertSplitsInAnyChunking("<think>\nGreeting.\n</think>\nHello!", open, close, "Greeting.", "Hello!");
        AssertSplitsInAnyChunking("Hello!", open, close, "", "Hello!");
    }

    [Fact]
    public void SmolLm3_generic_calls_round_trip_through_the_polyfill()
    {
        var template = Load(SmolLm3);
        ChatTemplateToolCall[] calls = [Search, Test];
        string reply = RenderReply(template, calls, "", options: ChatTemplateOptions.LlamaCpp);
        var result = ToolCallParser.Parse(reply, ToolCallFormat.Generic, ToolNames);
        Assert.True(result.Error is null && result.Content.Trim() == "", $"{result.Error} / {result.Content} in {reply}");
        AssertSameCalls(calls, result.ToolCalls);
        for (int seed = 1; seed <= 10; seed++)
            AssertSameResult(ToolCallParser.Parse(reply, ToolCallFormat.Generic, ToolNames, CountingIds()), Stream(reply, ToolCallFormat.Generic, ToolNames, seed));
    }

    private static void AssertSplitsInAnyChunking(string text, string open, string close, string reasoning, string content)
    {
        for (int size = 1; size <= text.Length; size = size < 4 ? size + 1 : size * 3)
        {
            var p = new ReasoningParser(startsInReasoning: false, open, close);
            string r = "", c = "";
            for (int i = 0; i < text.Length; i += size)
            {
                var d = p.Push(text.Substring(i, Math.Min(size, text.Length - i)));
                r += d.Reasoning;
                c += d.Content;
            }
            var f = p.Flush();
            Assert.Equal(reasoning, r + f.Reasoning);
            Assert.Equal(content, c + f.Content);
        }
    }
}
