using Hearth.Sampling;
using static Hearth.Tests.Sampling.GrammarTestHelpers;

namespace Hearth.Tests.Sampling;

/// <summary>oneOf: which unions the converter recognises as exclusive, and literal unions made exact.</summary>
public class OneOfGrammarTests
{
    public const string ShapesSchema = """
        {"type":"object","properties":{"shape":{"oneOf":[
           {"type":"object","properties":{"kind":{"const":"circle"},"r":{"type":"integer","minimum":1,"maximum":9}},"required":["kind","r"]},
           {"type":"object","properties":{"kind":{"enum":["square","box"]},"side":{"type":"integer","minimum":1,"maximum":9}},"required":["kind","side"]},
           {"$ref":"#/$defs/line"}]},
         "label":{"oneOf":[{"type":"string","maxLength":5},{"type":"integer","minimum":0,"maximum":99},{"type":"null"}]}},
         "required":["shape","label"],
         "$defs":{"line":{"type":"object","properties":{"kind":{"const":"line"},"len":{"type":"integer","minimum":0,"maximum":9}},"required":["kind"],"additionalProperties":false}}}
        """;

    [Theory]
    [InlineData("""{"oneOf":[{"type":"string"},{"type":"integer"},{"type":["null","boolean"]}]}""", true)]
    [InlineData("""{"oneOf":[{"type":"integer"},{"type":"number"}]}""", false)]
    [InlineData("""{"oneOf":[{"const":1},{"type":"string"}]}""", true)]
    [InlineData("""{"oneOf":[{"const":1},{"type":"number"}]}""", false)]
    [InlineData("""{"oneOf":[{"properties":{"a":{"type":"integer"}},"required":["a"],"additionalProperties":false},{"properties":{"b":{"type":"integer"}},"required":["b"],"additionalProperties":false}]}""", true)]
    [InlineData("""{"oneOf":[{"properties":{"a":{"type":"integer"}},"required":["a"]},{"properties":{"b":{"type":"integer"}},"required":["b"]}]}""", false)]
    [InlineData("""{"oneOf":[{"type":"object","properties":{"t":{"const":"x"}},"required":["t"]},{"type":"object","properties":{"t":{"const":"x"}},"required":["t"]}]}""", false)]
    [InlineData("""{"oneOf":[{"type":"object","properties":{"t":{"const":"x"}}},{"type":"object","properties":{"t":{"const":"y"}}}]}""", false)] // not required: {} matches both
    public void Exclusive_unions_are_recognised(string schema, bool exact) => Assert.Equal(exact, JsonSchemaToGbnf.OneOfIsExact(schema));

    [Fact]
    public void Discriminated_union_with_refs_is_exact() =>
        Assert.True(JsonSchemaToGbnf.OneOfIsExact(ShapesSchema, "/properties/shape"));

    [Fact]
    public void Literal_unions_drop_values_in_several_branches()
    {
        var g = Grammar.FromJsonSchema("""{"oneOf":[{"enum":[1,2,"a"]},{"enum":[2,3]},{"const":"a"}]}""");
        Assert.True(Matches(g, "1"));
        Assert.True(Matches(g, "3"));
        Assert.False(Matches(g, "2"));
        Assert.False(Matches(g, "\"a\""));
        var e = Assert.Throws<GrammarFormatException>(() => Grammar.FromJsonSchema("""{"oneOf":[{"const":1},{"enum":[1]}]}"""));
        Assert.Contains("exactly one branch", e.Message);
    }
}
