using System.Text;
using System.Text.Json;
using Hearth.Chat;
using Hearth.Chat.ToolCalls;
using Hearth.Sampling;
using Hearth.Tests.Cli;
using Hearth.Tests.ToolCalls;

namespace Hearth.Tests.Chat;

/// <summary>
/// Gemma 4's chat template (llama.cpp's models/templates/google-gemma-4-31B-it.jinja, in TestData/chat-templates/gemma4):
/// renders as Jinja2 renders it (goldens made by render_goldens.py there, by the rules of the shared testdata README
/// §4c/§4d), <c>hearth template</c> prints it, and replies in its formats — <c>&lt;|tool_call&gt;call:NAME{...}&lt;tool_call|&gt;</c>
/// calls and the <c>&lt;|channel&gt;thought…&lt;channel|&gt;</c> reasoning channel — parse back, whole and streamed.
/// </summary>
public class Gemma4ChatTests
{
    private const string Dir = "chat-templates/gemma4/";
    private static readonly DateTime GoldenDate = new(2024, 7, 26);
    private static readonly Lazy<ChatTemplate> Template = new(() => ChatTemplate.Parse(File.ReadAllText(TestData.LocalPathOf(Dir + "google-gemma-4-31B-it.jinja"))));

    private static string ContextPath(string context) => context.StartsWith("shared:", StringComparison.Ordinal)
        ? TestData.PathOf("chat-templates/generated-goldens/contexts/" + context["shared:".Length..])
        : TestData.LocalPathOf(Dir + context);

    public static TheoryData<string, string, bool> Goldens()
    {
        var data = new TheoryData<string, string, bool>();
        using var doc = JsonDocument.Parse(File.ReadAllText(TestData.LocalPathOf(Dir + "manifest.json")));
        foreach (var e in doc.RootElement.EnumerateArray())
            data.Add(e.GetProperty("context").GetString()!, e.GetProperty("golden").GetString()!, e.GetProperty("tool_call_arguments_passed_as_object").GetBoolean());
        return data;
    }

    [Theory]
    [MemberData(nameof(Goldens))]
    public void Renders_as_Jinja2_does(string context, string golden, bool argumentsAsObjects)
    {
        Assert.Equal(argumentsAsObjects, Template.Value.WantsObjectArguments);
        string expected = File.ReadAllText(TestData.LocalPathOf(Dir + golden));
        Assert.Equal(expected, Template.Value.RenderJson(File.ReadAllText(ContextPath(context)), new ChatTemplateOptions { Now = GoldenDate }));
    }

    [Fact]
    public void Hearth_template_prints_the_golden()
    {
        var r = CliRunner.Run("template", "--template", TestData.LocalPathOf(Dir + "google-gemma-4-31B-it.jinja"),
            "--context", TestData.LocalPathOf(Dir + "contexts/native_tools.json"));
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal(File.ReadAllText(TestData.LocalPathOf(Dir + "goldens/gemma-4-31B-it-native_tools.txt")), r.StdOut);
    }

    [Fact]
    public void Formats_are_detected_from_the_template()
    {
        Assert.Equal(ToolCallFormat.Gemma4, ToolCallFormats.Detect(Template.Value));
        Assert.Equal(ReasoningTags.Gemma4Channel, ReasoningTags.Detect(Template.Value.Source));
        Assert.True(ReasoningTags.TemplateReasons(Template.Value.Source));
        // Other templates keep <think>.
        Assert.Equal(ReasoningTags.Think, ReasoningTags.Detect("{{ '<think>' }}"));
    }

    private static readonly ChatTemplateToolCall[] Calls =
    [
        new("ipython", """{"code": "print(\"a, b}\") # {x: [1]}"}"""),
        new("test", """{"condition": true}"""),
        new("brave_search", """{"query": "weather", "filters": {"days": 3, "ratio": -0.25, "tags": ["a", "b c"], "none": null, "ok": false}}"""),
    ];

    // What the model generates for an assistant turn making these calls: the rendering of the conversation with that
    // turn minus the rendering of the prompt, without the <|tool_response> the template ends such a turn with (an
    // end-of-generation token). The prompt is rendered with thinking on, so it ends at "<|turn>model\n".
    private static string Reply(IReadOnlyList<ChatTemplateToolCall> calls, string? content = null)
    {
        var vars = new Dictionary<string, object?>(StringComparer.Ordinal) { ["enable_thinking"] = true };
        var user = ChatTemplateMessage.User("Check it on the web.");
        string prompt = Template.Value.Render(new ChatTemplateContext
        {
            Messages = [user], AddGenerationPrompt = true, Tools = ToolCallTestData.Tools, Variables = vars, BosToken = "<bos>",
        });
        string full = Template.Value.Render(new ChatTemplateContext
        {
            Messages = [user, new ChatTemplateMessage("assistant", content) { ToolCalls = calls }],
            AddGenerationPrompt = false, Tools = ToolCallTestData.Tools, Variables = vars, BosToken = "<bos>",
        });
        Assert.StartsWith(prompt, full, StringComparison.Ordinal);
        string reply = full[prompt.Length..];
        foreach (string end in new[] { "<|tool_response>", "<turn|>\n" })
            if (reply.EndsWith(end, StringComparison.Ordinal)) reply = reply[..^end.Length];
        return reply;
    }

    [Fact]
    public void Rendered_calls_parse_back_whole_and_streamed()
    {
        string reply = Reply(Calls);
        Assert.StartsWith("<|tool_call>call:ipython{code:<|\"|>print(\"a, b}\") # {x: [1]}<|\"|>}<tool_call|>", reply, StringComparison.Ordinal);
        var full = ToolCallParser.Parse(reply, ToolCallFormat.Gemma4, ToolCallTestData.ToolNames, ToolCallTestData.CountingIds());
        Assert.Null(full.Error);
        Assert.Equal("", full.Content);
        ToolCallTestData.AssertSameCalls(Calls, full.ToolCalls);
        for (int seed = 0; seed < 20; seed++)
            ToolCallTestData.AssertSameResult(full, ToolCallTestData.Stream(reply, ToolCallFormat.Gemma4, ToolCallTestData.ToolNames, seed, maxPiece: 1 + seed % 9));
    }

    [Fact]
    public void Content_around_calls_stays_content_and_unknown_names_are_not_calls()
    {
        string reply = "Let me look.<|tool_call>call:test{condition:false}<tool_call|>";
        var r = ToolCallParser.Parse(reply, ToolCallFormat.Gemma4, ToolCallTestData.ToolNames);
        Assert.Equal("Let me look.", r.Content);
        Assert.Single(r.ToolCalls);
        Assert.Equal("""{"condition":false}""", r.ToolCalls[0].Arguments);

        string unknown = "<|tool_call>call:rm_rf{path:<|\"|>/<|\"|>}<tool_call|>";
        r = ToolCallParser.Parse(unknown, ToolCallFormat.Gemma4, ToolCallTestData.ToolNames);
        Assert.Empty(r.ToolCalls);
        Assert.Equal(unknown, r.Content);

        // A call whose close marker the end of generation cut off is still a call; one cut inside its arguments is content.
        r = ToolCallParser.Parse("<|tool_call>call:test{condition:true}", ToolCallFormat.Gemma4, ToolCallTestData.ToolNames);
        Assert.Single(r.ToolCalls);
        r = ToolCallParser.Parse("<|tool_call>call:test{condition:tr", ToolCallFormat.Gemma4, ToolCallTestData.ToolNames);
        Assert.Empty(r.ToolCalls);
    }

    [Fact]
    public void Json_arguments_from_the_constraining_grammar_parse_too()
    {
        string gbnf = ToolCallGrammar.BuildGbnf(ToolCallFormat.Gemma4, ToolCallTestData.Tools, "test");
        Assert.Contains("<|tool_call>call:test", gbnf, StringComparison.Ordinal);
        Grammar.Parse(gbnf);
        var r = ToolCallParser.Parse("<|tool_call>call:test{\"condition\": true}<tool_call|>", ToolCallFormat.Gemma4, ToolCallTestData.ToolNames);
        Assert.Single(r.ToolCalls);
        Assert.Equal("""{"condition":true}""", r.ToolCalls[0].Arguments);
    }

    [Fact]
    public void Thought_channel_is_reasoning_whole_and_streamed()
    {
        // With thinking on the prompt ends at the model header and the model opens the channel itself; with thinking
        // off the template closes an empty channel in the prompt, so the reply is all content.
        var user = ChatTemplateMessage.User("Hi");
        string on = Template.Value.Render(new ChatTemplateContext
        {
            Messages = [user], Variables = new Dictionary<string, object?>(StringComparer.Ordinal) { ["enable_thinking"] = true },
        });
        string off = Template.Value.Render(new ChatTemplateContext { Messages = [user] });
        var tags = ReasoningTags.Detect(Template.Value.Source);
        Assert.False(ReasoningParser.PromptOpensReasoning(on, tags.Open, tags.Close));
        Assert.False(ReasoningParser.PromptOpensReasoning(off, tags.Open, tags.Close));
        Assert.EndsWith("<|channel>thought\n<channel|>", off, StringComparison.Ordinal);

        const string reply = "<|channel>thought\nThe user greets me.\nI greet back.<channel|>Hello! How can I help?";
        var whole = ReasoningParser.Split(reply, false, tags);
        Assert.Equal("The user greets me.\nI greet back.", whole.Reasoning);
        Assert.Equal("Hello! How can I help?", whole.Content);
        var rng = new Random(5);
        for (int round = 0; round < 20; round++)
        {
            var p = new ReasoningParser(false, tags);
            var reasoning = new StringBuilder();
            var content = new StringBuilder();
            for (int i = 0; i < reply.Length;)
            {
                int n = Math.Min(reply.Length - i, 1 + rng.Next(7));
                var d = p.Push(reply.Substring(i, n));
                reasoning.Append(d.Reasoning);
                content.Append(d.Content);
                i += n;
            }
            var last = p.Flush();
            Assert.Equal(whole.Reasoning, reasoning.Append(last.Reasoning).ToString());
            Assert.Equal(whole.Content, content.Append(last.Content).ToString());
        }
        // The template strips a past turn's thought channel, so the history carries only the answer.
        string history = Template.Value.Render(new ChatTemplateContext
        {
            Messages = [user, ChatTemplateMessage.Assistant(reply), ChatTemplateMessage.User("Bye")],
        });
        Assert.Contains("<|turn>model\nHello! How can I help?<turn|>", history, StringComparison.Ordinal);
        Assert.DoesNotContain("greets", history, StringComparison.Ordinal);
    }
}
