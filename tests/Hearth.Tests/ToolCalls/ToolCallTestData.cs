using System.Text.Json;
using System.Text.Json.Nodes;
using Hearth.Chat;
using Hearth.Chat.ToolCalls;

namespace Hearth.Tests.ToolCalls;

internal static class ToolCallTestData
{
    private static readonly Lazy<JsonElement> ToolsElement = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestData.PathOf("chat-templates/llama.cpp-jinja-goldens/contexts/tool_use.json")));
        return doc.RootElement.GetProperty("tools").Clone();
    });

    /// <summary>The four tools of the upstream tool_use context (ipython, brave_search, wolfram_alpha, test).</summary>
    public static JsonElement Tools => ToolsElement.Value;

    public static string[] ToolNames => ["ipython", "brave_search", "wolfram_alpha", "test"];

    public static string Template(string relative) => File.ReadAllText(TestData.PathOf("chat-templates/" + relative));

    /// <summary>Deterministic ids, so a streamed parse and a full parse can be compared exactly.</summary>
    public static Func<string> CountingIds()
    {
        int n = 0;
        return () => $"id{n++}";
    }

    /// <summary>
    /// What the model would generate for an assistant turn making <paramref name="calls"/>: the template's rendering
    /// of the conversation with that turn, minus its rendering of the prompt alone (the common prefix), minus the
    /// end-of-turn token (a special token generation stops at, never part of the text).
    /// </summary>
    public static string RenderReply(ChatTemplate template, IReadOnlyList<ChatTemplateToolCall> calls, string? content = null,
        IDictionary<string, object?>? variables = null, ChatTemplateOptions? options = null)
    {
        var user = ChatTemplateMessage.User("Check it on the web.");
        var vars = variables ?? new Dictionary<string, object?>(StringComparer.Ordinal);
        var prompt = template.Render(new ChatTemplateContext
        {
            Messages = [user], AddGenerationPrompt = true, Tools = Tools, Variables = vars, BosToken = "<s>", EosToken = "</s>",
        }, options);
        var full = template.Render(new ChatTemplateContext
        {
            Messages = [user, new ChatTemplateMessage("assistant", content) { ToolCalls = calls }],
            AddGenerationPrompt = false, Tools = Tools, Variables = vars, BosToken = "<s>", EosToken = "</s>",
        }, options);
        int common = prompt.AsSpan().CommonPrefixLength(full);
        while (common > 0 && full[common - 1] == '<') common--; // the prompt's next header and the reply's first marker may share a '<'
        string reply = full[common..];
        string[] ends = ["<|im_end|>", "<|eot_id|>", "<|eom_id|>", "<｜end▁of▁sentence｜>", "<end_of_turn>", "<|end|>", "</s>"];
        reply = reply.TrimEnd('\n');
        foreach (string e in ends)
            if (reply.EndsWith(e, StringComparison.Ordinal)) reply = reply[..^e.Length];
        return reply;
    }

    public static void AssertSameCalls(IReadOnlyList<ChatTemplateToolCall> expected, IReadOnlyList<ChatTemplateToolCall> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Name, actual[i].Name);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected[i].Arguments), JsonNode.Parse(actual[i].Arguments)),
                $"call {i} ({expected[i].Name}): expected arguments {expected[i].Arguments}, parsed {actual[i].Arguments}");
            Assert.False(string.IsNullOrEmpty(actual[i].Id));
        }
    }

    /// <summary>Feeds <paramref name="text"/> in random pieces and rebuilds the reply from the deltas, checking the OpenAI delta protocol on the way.</summary>
    public static ToolCallParseResult Stream(string text, ToolCallFormat format, IEnumerable<string>? names, int seed, int maxPiece = 8,
        Func<ToolCallParser>? create = null)
    {
        var rng = new Random(seed);
        var parser = create?.Invoke() ?? new ToolCallParser(format, names, CountingIds());
        var content = new System.Text.StringBuilder();
        var calls = new List<(string Id, string Name, System.Text.StringBuilder Args)>();
        void Apply(ToolCallUpdate u)
        {
            content.Append(u.Content);
            foreach (var d in u.ToolCalls)
            {
                if (d.Index == calls.Count)
                {
                    Assert.NotNull(d.Id);
                    Assert.NotNull(d.Name);
                    calls.Add((d.Id!, d.Name!, new System.Text.StringBuilder(d.Arguments)));
                }
                else
                {
                    Assert.True(d.Index == calls.Count - 1, $"delta for call {d.Index} after call {calls.Count - 1} started");
                    Assert.Null(d.Name);
                    calls[d.Index].Args.Append(d.Arguments);
                }
            }
        }
        for (int i = 0; i < text.Length;)
        {
            int n = Math.Min(text.Length - i, 1 + rng.Next(maxPiece));
            Apply(parser.Push(text.Substring(i, n)));
            i += n;
        }
        Apply(parser.Finish());
        var result = parser.Result;
        Assert.Equal(result.Content, content.ToString());
        Assert.Equal(result.ToolCalls.Count, calls.Count);
        for (int i = 0; i < calls.Count; i++)
        {
            Assert.Equal(result.ToolCalls[i].Id, calls[i].Id);
            Assert.Equal(result.ToolCalls[i].Name, calls[i].Name);
            Assert.Equal(result.ToolCalls[i].Arguments, calls[i].Args.ToString());
        }
        return result;
    }

    public static void AssertSameResult(ToolCallParseResult expected, ToolCallParseResult actual)
    {
        Assert.Equal(expected.Content, actual.Content);
        Assert.Equal(expected.Error, actual.Error);
        Assert.Equal(expected.ToolCalls.Count, actual.ToolCalls.Count);
        for (int i = 0; i < expected.ToolCalls.Count; i++)
        {
            Assert.Equal(expected.ToolCalls[i].Id, actual.ToolCalls[i].Id);
            Assert.Equal(expected.ToolCalls[i].Name, actual.ToolCalls[i].Name);
            Assert.Equal(expected.ToolCalls[i].Arguments, actual.ToolCalls[i].Arguments);
        }
    }
}
