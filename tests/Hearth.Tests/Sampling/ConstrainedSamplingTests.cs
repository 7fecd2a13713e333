using System.Text;
using System.Text.Json;
using Hearth.Sampling;
using static Hearth.Tests.Sampling.GrammarTestHelpers;

namespace Hearth.Tests.Sampling;

/// <summary>
/// Property tests: a random "model" (random logits each step) over a random byte vocabulary, sampled at temperature 1
/// under a grammar, must always produce output that System.Text.Json parses and that validates against the schema.
/// </summary>
public class ConstrainedSamplingTests
{
    private static readonly Lazy<(byte[][] Tokens, int Eos, GrammarVocabulary Vocab)> Vocab2k = new(() =>
    {
        var (tokens, eos) = RandomVocabulary.Create(2000, 11);
        return (tokens, eos, new GrammarVocabulary(tokens, [eos]));
    });

    public const string PersonSchema = """
        {"type":"object","additionalProperties":false,
         "properties":{
           "name":{"type":"string","maxLength":12},
           "age":{"type":"integer","minimum":0,"maximum":150},
           "email":{"type":"string"},
           "tags":{"type":"array","items":{"enum":["a","b","c"]},"maxItems":3},
           "active":{"type":"boolean"},
           "score":{"type":"number","minimum":0,"maximum":1}},
         "required":["name","age","active"]}
        """;

    public const string DefsSchema = """
        {"type":"object",
         "properties":{
           "items":{"type":"array","items":{"$ref":"#/$defs/item"},"minItems":1,"maxItems":3},
           "created":{"type":"string","format":"date-time"},
           "note":{"type":["string","null"]}},
         "required":["items","created"],
         "$defs":{"item":{"anyOf":[
           {"type":"integer","minimum":-20,"maximum":1000},
           {"type":"null"},
           {"type":"object","properties":{"id":{"const":7},"ok":{"type":"boolean"}},"required":["id"]}]}}}
        """;

    public const string AdditionalSchema = """
        {"type":"object","properties":{"a":{"type":"integer","exclusiveMinimum":-3,"exclusiveMaximum":3},"b":{"type":"boolean"}},
         "additionalProperties":{"type":"string","maxLength":4}}
        """;

    public const string TreeSchema = """
        {"$ref":"#/$defs/node","$defs":{"node":{"type":"object",
          "properties":{"v":{"type":"integer"},"kids":{"type":"array","items":{"$ref":"#/$defs/node"},"maxItems":2}},
          "required":["v"],"additionalProperties":false}}}
        """;

    public const string EnumSchema = """{"oneOf":[{"enum":["red","green",3,null,{"x":[1,"é"]}]},{"type":"boolean"}]}""";

    public const string PatternSchema = """
        {"type":"object","properties":{
           "code":{"type":"string","pattern":"^[A-Z]{2}-\\d{3}$"},
           "tag":{"type":"string","pattern":"^(x|yz)+[^a-z\"]?$"},
           "free":{"type":"string","pattern":"^ok"}},
         "required":["code","tag","free"]}
        """;

    public static TheoryData<string, string> Schemas => new()
    {
        { "person", PersonSchema },
        { "defs", DefsSchema },
        { "additional", AdditionalSchema },
        { "tree", TreeSchema },
        { "enum", EnumSchema },
        { "any", "{}" },
        { "pattern", PatternSchema },
        { "union", OneOfGrammarTests.ShapesSchema },
    };

    /// <summary>Samples until the end token (or <paramref name="maxTokens"/>); returns the bytes and whether it ended.</summary>
    private static (byte[] Bytes, bool Ended) Generate(Grammar grammar, int seed, int maxTokens = 400)
    {
        var (tokens, eos, vocab) = Vocab2k.Value;
        var sampler = new Sampler(new SamplerOptions { Temperature = 1, TopK = 0, TopP = 1, MinP = 0, Seed = (ulong)seed, Grammar = grammar }, tokens.Length, vocab);
        var rng = new Random(seed);
        var logits = new float[tokens.Length];
        var output = new List<byte>();
        for (int step = 0; step < maxTokens; step++)
        {
            for (int i = 0; i < logits.Length; i++) logits[i] = (float)(rng.NextDouble() * 6 - 3);
            logits[eos] = 8; // a model that wants to stop: only the grammar decides when it may
            int t;
            try
            {
                t = sampler.Sample(logits);
            }
            catch (InvalidOperationException e)
            {
                throw new InvalidOperationException($"{e.Message} Output so far: {Convert.ToHexString([.. output])} '{Encoding.UTF8.GetString([.. output])}'", e);
            }
            sampler.Accept(t);
            if (t == eos) return ([.. output], true);
            output.AddRange(tokens[t]);
        }
        return ([.. output], false);
    }

    [Theory]
    [MemberData(nameof(Schemas))]
    public void Every_sampled_output_parses_and_validates(string name, string schemaJson)
    {
        var grammar = Grammar.FromJsonSchema(schemaJson);
        using var schema = JsonDocument.Parse(schemaJson);
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        int ended = 0;
        const int seeds = 40;
        for (int seed = 0; seed < seeds; seed++)
        {
            var (bytes, done) = Generate(grammar, seed * 7919 + name.Length);
            if (!done)
            {
                Assert.True(IsPrefix(grammar, bytes), $"{name} seed {seed}: unfinished output is not a valid prefix");
                continue;
            }
            ended++;
            string text = strict.GetString(bytes);
            using var doc = JsonDocument.Parse(text);
            var error = SchemaValidator.Validate(doc.RootElement, schema.RootElement);
            Assert.True(error == null, $"{name} seed {seed}: {error}\n{text}");
        }
        Assert.True(ended >= seeds * 3 / 4, $"{name}: only {ended} of {seeds} generations finished within the token limit");
    }

    [Fact]
    public void Mask_agrees_with_checking_each_token_alone()
    {
        var (tokens, eos, vocab) = Vocab2k.Value;
        var grammar = Grammar.FromJsonSchema(DefsSchema);
        foreach (string prefix in new[] { "", "{\"items\"", "{\"items\": [7, {\"id\": 7, \"ok\": tr", "{\"items\":[1],\"created\":\"2024-1", "{\"items\":[1],\"created\":\"2024-02-03T04:05:06Z\"", "{\"items\":[1],\"created\":\"2024-02-03T04:05:06Z\",\"note\":\"日" })
        {
            var stage = new GrammarStage(grammar, vocab);
            var m = new GrammarMatcher(grammar);
            int state = m.Step(m.Initial, Encoding.UTF8.GetBytes(prefix));
            Assert.NotEqual(GrammarMatcher.Dead, state);
            // Drive the stage to the same point token by token (single-byte tokens exist for every ASCII char).
            foreach (byte b in Encoding.UTF8.GetBytes(prefix))
            {
                int t = Array.FindIndex(tokens, x => x.Length == 1 && x[0] == b);
                if (t < 0) t = Array.FindIndex(tokens, x => x.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes("日")));
                if (t >= 0 && tokens[t].Length == 1) stage.Accept(t);
            }
            if (prefix.EndsWith('日')) stage.Accept(Array.FindIndex(tokens, x => x.AsSpan().SequenceEqual("日"u8)));
            var mask = new bool[tokens.Length];
            stage.ComputeMask(mask);
            int allowed = 0;
            for (int t = 0; t < tokens.Length; t++)
            {
                bool expected = t == eos ? m.IsAccepting(state) : tokens[t].Length > 0 && m.Step(state, tokens[t]) != GrammarMatcher.Dead;
                Assert.True(expected == mask[t], $"prefix '{prefix}', token {t} ({Convert.ToHexString(tokens[t])}): mask {mask[t]}, alone {expected}");
                if (mask[t]) allowed++;
            }
            Assert.True(allowed > 0);
        }
    }

    [Fact]
    public void Tokens_ending_inside_a_utf8_sequence_are_allowed_and_completed()
    {
        // "日" is E6 97 A5: split over two tokens, each alone is not a character.
        // [E6 98] starts a different character and must be rejected even though it is an incomplete sequence.
        byte[][] tokens = [[0x22], [0xE6, 0x97], [0xA5, 0x22], [0xE6, 0x98], [0x41], []];
        var vocab = new GrammarVocabulary(tokens, [5]);
        var sampler = new Sampler(SamplerOptions.Greedy with { Grammar = Grammar.Parse("root ::= \"\\\"\" \"日\"* \"\\\"\"") }, tokens.Length, vocab);
        var logits = new float[6];
        int[] expected = [0, 1, 2, 5];
        foreach (int want in expected)
        {
            // the model prefers "A", then the lone lead byte; the grammar must steer to the split character
            logits = [0, 1, 1, 2, 5, 3];
            int t = sampler.Sample(logits);
            Assert.Equal(want, t);
            sampler.Accept(t);
        }
        Assert.True(sampler.GrammarComplete);
    }

    [Fact]
    public void End_token_only_when_the_grammar_is_complete()
    {
        byte[][] tokens = [[(byte)'a'], [(byte)'b'], []];
        var vocab = new GrammarVocabulary(tokens, [2]);
        var s = new Sampler(SamplerOptions.Greedy with { Grammar = Grammar.Parse("root ::= \"a\" \"b\"?") }, 3, vocab);
        float[] logits = [1, 0, 9];
        Assert.Equal(0, s.Sample(logits));
        s.Accept(0);
        Assert.True(s.GrammarAccepting);
        Assert.False(s.GrammarComplete);
        Assert.Equal(2, s.Sample(logits));
    }

    [Fact]
    public void Accepting_a_forbidden_token_is_a_clear_error()
    {
        byte[][] tokens = [[(byte)'a'], [(byte)'b'], []];
        var s = new Sampler(SamplerOptions.Greedy with { Grammar = Grammar.Parse("root ::= \"a\"") }, 3, new GrammarVocabulary(tokens, [2]));
        var e = Assert.Throws<InvalidOperationException>(() => s.Accept(1));
        Assert.Contains("Token 1", e.Message);
    }

    [Fact]
    public void Grammar_without_vocabulary_is_a_clear_error()
    {
        var e = Assert.Throws<ArgumentException>(() => new Sampler(new SamplerOptions { Grammar = Grammar.AnyJson }, 10));
        Assert.Contains("GrammarVocabulary", e.Message);
    }

    [Fact]
    public void Vocabulary_that_cannot_spell_the_grammar_is_a_clear_error()
    {
        byte[][] tokens = [[(byte)'a'], []];
        var s = new Sampler(SamplerOptions.Greedy with { Grammar = Grammar.Parse("root ::= \"z\"") }, 2, new GrammarVocabulary(tokens, [1]));
        var e = Assert.Throws<InvalidOperationException>(() => s.Sample(new float[2]));
        Assert.Contains("allows no token", e.Message);
    }
}
