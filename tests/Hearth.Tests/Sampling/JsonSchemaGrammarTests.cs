using System.Globalization;
using Hearth.Sampling;
using static Hearth.Tests.Sampling.GrammarTestHelpers;

namespace Hearth.Tests.Sampling;

public class JsonSchemaGrammarTests
{
    [Theory]
    [InlineData(-123L, 4567L)]
    [InlineData(0L, 9L)]
    [InlineData(10L, 99L)]
    [InlineData(-5L, -5L)]
    [InlineData(7L, null)]
    [InlineData(null, -17L)]
    [InlineData(-20L, 1000L)]
    [InlineData(1L, 1000000L)]
    [InlineData(null, null)]
    public void Integer_bounds_accept_exactly_the_integers_in_range(long? lo, long? hi)
    {
        string schema = "{\"type\":\"integer\"" + (lo != null ? $",\"minimum\":{lo}" : "") + (hi != null ? $",\"maximum\":{hi}" : "") + "}";
        var g = Grammar.FromJsonSchema(schema);
        var values = Enumerable.Range(-1200, 6000).Select(i => (long)i)
            .Concat([999_999, 1_000_000, 1_000_001, 123_456_789, -123_456_789, 9_999_999_999_999_999]);
        foreach (long v in values)
        {
            bool inRange = (lo == null || v >= lo) && (hi == null || v <= hi);
            Assert.True(inRange == Matches(g, v.ToString(CultureInfo.InvariantCulture)), $"{v} in [{lo}, {hi}]: expected {inRange}");
        }
        if (Matches(g, "-0")) Assert.True((lo == null || lo <= 0) && (hi == null || hi >= 0)); // -0 is JSON for 0
        Assert.False(Matches(g, "007"));
    }

    [Theory]
    [InlineData("{\"type\":\"integer\",\"exclusiveMinimum\":-3,\"exclusiveMaximum\":3}", "-2", true)]
    [InlineData("{\"type\":\"integer\",\"exclusiveMinimum\":-3,\"exclusiveMaximum\":3}", "3", false)]
    [InlineData("{\"type\":\"number\",\"minimum\":0,\"maximum\":1}", "0.25", true)]
    [InlineData("{\"type\":\"number\",\"minimum\":0,\"maximum\":1}", "1", true)]
    [InlineData("{\"type\":\"number\",\"minimum\":0,\"maximum\":1}", "1.5", false)]
    [InlineData("{\"type\":\"number\",\"minimum\":0,\"maximum\":1}", "-0.5", false)]
    [InlineData("{\"type\":\"number\",\"minimum\":0}", "12.5", true)]
    [InlineData("{\"type\":\"number\"}", "-1.5e-7", true)]
    [InlineData("{\"type\":\"string\",\"minLength\":2,\"maxLength\":3}", "\"ab\"", true)]
    [InlineData("{\"type\":\"string\",\"minLength\":2,\"maxLength\":3}", "\"abcd\"", false)]
    [InlineData("{\"type\":\"string\",\"format\":\"date-time\"}", "\"2024-02-28T23:59:59.5+01:00\"", true)]
    [InlineData("{\"type\":\"string\",\"format\":\"date-time\"}", "\"2024-02-30T00:00:00Z\"", false)]
    [InlineData("{\"type\":\"string\",\"format\":\"uuid\"}", "\"123e4567-e89b-12d3-a456-426614174000\"", true)]
    [InlineData("{\"enum\":[\"a\\\"b\",1,null]}", "\"a\\\"b\"", true)]
    [InlineData("{\"const\":{\"k\":[1,2]}}", "{\"k\":[1,2]}", true)]
    [InlineData("{\"type\":[\"boolean\",\"null\"]}", "null", true)]
    [InlineData("{\"type\":\"array\",\"minItems\":2,\"maxItems\":2,\"items\":{\"type\":\"boolean\"}}", "[true, false]", true)]
    [InlineData("{\"type\":\"array\",\"minItems\":2,\"maxItems\":2,\"items\":{\"type\":\"boolean\"}}", "[true]", false)]
    [InlineData("{\"type\":\"array\",\"minItems\":2,\"maxItems\":2,\"items\":{\"type\":\"boolean\"}}", "[true,true,true]", false)]
    [InlineData("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"},\"b\":{\"type\":\"integer\"}}}", "{}", true)]
    [InlineData("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"},\"b\":{\"type\":\"integer\"}}}", "{\"b\": 2}", true)]
    [InlineData("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"},\"b\":{\"type\":\"integer\"}}}", "{\"a\": 1, \"b\": 2}", true)]
    [InlineData("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"},\"b\":{\"type\":\"integer\"}}}", "{\"c\": 2}", false)]
    [InlineData("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}},\"additionalProperties\":true}", "{\"a\": 1, \"zz\": [null]}", true)]
    [InlineData("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}},\"additionalProperties\":true}", "{\"zz\": 1, \"a\": \"x\"}", false)]
    [InlineData("{\"type\":\"object\",\"properties\":{\"ab\":{\"type\":\"integer\"}},\"additionalProperties\":{\"type\":\"string\"}}", "{\"a\": \"x\", \"abc\": \"y\"}", true)]
    [InlineData("{\"type\":\"object\",\"properties\":{\"ab\":{\"type\":\"integer\"}},\"additionalProperties\":{\"type\":\"string\"}}", "{\"ab\": \"x\"}", false)]
    [InlineData("{\"type\":\"object\"}", "{\"any\": {\"thing\": 1}}", true)]
    public void Schema_grammars_accept_and_reject(string schema, string json, bool ok) =>
        Assert.Equal(ok, Matches(Grammar.FromJsonSchema(schema), json));

    [Theory]
    [InlineData("{\"type\":\"string\",\"pattern\":\"^(?=a)$\"}", "lookahead")]
    [InlineData("{\"allOf\":[{}]}", "'allOf'")]
    [InlineData("{\"type\":\"strin\"}", "Unknown JSON schema type 'strin'")]
    [InlineData("{\"$ref\":\"#/$defs/missing\"}", "points at nothing")]
    [InlineData("{\"$ref\":\"http://example.com/s.json\"}", "Only local $ref")]
    [InlineData("{\"type\":\"object\",\"required\":[\"a\"]}", "Required property 'a'")]
    [InlineData("{\"type\":\"integer\",\"minimum\":5,\"maximum\":1}", "leave no value")]
    [InlineData("{\"type\":\"array\",\"minItems\":3,\"maxItems\":1}", "inconsistent")]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("false", "no value can match")]
    public void Unsupported_or_broken_schemas_are_clear_errors(string schema, string message)
    {
        var e = Assert.Throws<GrammarFormatException>(() => Grammar.FromJsonSchema(schema));
        Assert.Contains(message, e.Message);
    }
}
