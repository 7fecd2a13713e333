using System.Text;
using System.Text.Json;
using Hearth.Chat;
using Hearth.Chat.ToolCalls;
using Hearth.Sampling;
using Hearth.Tests.Sampling;
using static Hearth.Tests.ToolCalls.ToolCallTestData;

namespace Hearth.Tests.ToolCalls;

/// <summary>
/// Property test: a random "model" (random logits each step, temperature 1) over a random byte vocabulary, sampled
/// under a tool-call grammar, always produces a reply the parser reads as calls of the offered tools, with
/// arguments that System.Text.Json parses and that validate against each tool's schema.
/// </summary>
public class ToolCallGrammarTests
{
    private static readonly Lazy<(byte[][] Tokens, int Eos, GrammarVocabulary Vocab)> Vocab = new(() =>
    {
        var (tokens, eos) = RandomVocabulary.Create(1500, 5);
        return (tokens, eos, new GrammarVocabulary(tokens, [eos]));
    });

    /// <summary>
    /// The upstream <c>test</c> tool plus two with richer schemas (enum, integer bounds, array, optional fields).
    /// Strings are bounded: a random model almost never closes an unbounded string, so replies would not end.
    /// </summary>
    private static readonly Lazy<JsonElement> RichTools = new(() =>
    {
        var list = JsonSerializer.Deserialize<List<JsonElement>>(Tools.GetRawText())!.FindAll(t => t.GetProperty("function").GetProperty("name").GetString() == "test");
        using var extra = JsonDocument.Parse("""
            [{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","additionalProperties":false,
              "properties":{"city":{"type":"string","maxLength":10},"unit":{"enum":["c","f"]},"days":{"type":"integer","minimum":1,"maximum":7},
                            "fields":{"type":"array","items":{"type":"string","maxLength":5},"maxItems":2}},
              "required":["city","unit"]}}},
             {"type":"function","function":{"name":"web.search","parameters":{"type":"object",
              "properties":{"query":{"type":"string","maxLength":12}},"required":["query"],"additionalProperties":false}}}]
            """);
        list.AddRange(extra.RootElement.EnumerateArray().Select(e => e.Clone()));
        return JsonSerializer.SerializeToElement(list);
    });

    private static string Generate(Grammar grammar, int seed)
    {
        var (tokens, eos, vocab) = Vocab.Value;
        var sampler = new Sampler(new SamplerOptions { Temperature = 1, TopK = 0, TopP = 1, MinP = 0, Seed = (ulong)seed, Grammar = grammar }, tokens.Length, vocab);
        var rng = new Random(seed);
        var logits = new float[tokens.Length];
        var output = new List<byte>();
        for (int step = 0; step < 3000; step++)
        {
            for (int i = 0; i < logits.Length; i++) logits[i] = (float)(rng.NextDouble() * 6 - 3);
            logits[eos] = 8; // wants to stop: only the grammar decides when it may
            int t = sampler.Sample(logits);
            if (t == eos) return Encoding.UTF8.GetString([.. output]);
            sampler.Accept(t);
            output.AddRange(tokens[t]);
        }
        throw new Xunit.Sdk.XunitException($"seed {seed}: no end after 3000 tokens: {Encoding.UTF8.GetString([.. output])}");
    }

    public static TheoryData<ToolCallFormat, bool, bool> Cases => new()
    {
        { ToolCallFormat.Hermes, false, false },
        { ToolCallFormat.Hermes, true, false },
        { ToolCallFormat.Llama3Json, false, false },
        { ToolCallFormat.Mistral, false, false },
        { ToolCallFormat.Mistral, true, false },
        { ToolCallFormat.Mistral, true, true },
        { ToolCallFormat.DeepSeekR1, true, false },
        { ToolCallFormat.Generic, true, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_sampled_reply_is_a_valid_call(ToolCallFormat format, bool parallel, bool mistralArgs)
    {
        var tools = RichTools.Value;
        var schemas = new Dictionary<string, JsonElement>();
        foreach (var t in tools.EnumerateArray()) schemas[t.GetProperty("function").GetProperty("name").GetString()!] = t.GetProperty("function").GetProperty("parameters");
        var grammar = Grammar.Parse(ToolCallGrammar.BuildGbnf(format, tools, parallel: parallel, mistralArgs: mistralArgs));
        var seen = new HashSet<string>();
        for (int seed = 1; seed <= 12; seed++)
        {
            string reply = Generate(grammar, seed);
            var result = ToolCallParser.Parse(reply, format, schemas.Keys);
            Assert.True(result.Error is null && result.Content.Trim().Length == 0 && result.ToolCalls.Count > 0, $"seed {seed}: {result.Error} content '{result.Content}' in: {reply}");
            if (!parallel) Assert.Single(result.ToolCalls);
            foreach (var call in result.ToolCalls)
            {
                seen.Add(call.Name);
                using var args = JsonDocument.Parse(call.Arguments);
                string? problem = SchemaValidator.Validate(args.RootElement, schemas[call.Name]);
                Assert.True(problem is null, $"seed {seed}: {call.Name} {call.Arguments}: {problem}");
            }
        }
        Assert.True(seen.Count >= 2, $"only {string.Join(",", seen)} sampled: the grammar should allow every tool");
    }

    [Fact]
    public void A_named_function_is_the_only_one_called()
    {
        var grammar = ToolCallGrammar.Build(ToolCallFormat.Hermes, RichTools.Value, functionName: "get_weather", parallel: true);
        for (int seed = 1; seed <= 6; seed++)
        {
            var result = ToolCallParser.Parse(Generate(grammar, seed), ToolCallFormat.Hermes, ["get_weather"]);
            Assert.NotEmpty(result.ToolCalls);
            Assert.All(result.ToolCalls, c => Assert.Equal("get_weather", c.Name));
        }
    }

    [Fact]
    public void Grammar_for_a_template_uses_its_format()
    {
        var template = ChatTemplate.Parse(Template("llama.cpp-models-templates/Qwen-Qwen2.5-7B-Instruct.jinja"));
        var grammar = ToolCallGrammar.ForTemplate(template, Tools, "test");
        Assert.True(GrammarTestHelpers.Matches(grammar, "<tool_call>\n{\"name\": \"test\", \"arguments\": {\"condition\": true}}\n</tool_call>"));
        Assert.False(GrammarTestHelpers.Matches(grammar, "<tool_call>\n{\"name\": \"test\", \"arguments\": {\"condition\": 1}}\n</tool_call>"));
    }
}
