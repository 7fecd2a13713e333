using Hearth.Sampling;
using static Hearth.Tests.Sampling.GrammarTestHelpers;

namespace Hearth.Tests.Sampling;

public class GbnfParserTests
{
    // Golden grammars, written for these tests in llama.cpp's GBNF format.
    public const string Arithmetic = """
        # integer arithmetic with precedence
        root   ::= expr
        expr   ::= term (ws [-+] ws term)*
        term   ::= factor (ws [*/] ws factor)*
        factor ::= number | "(" ws expr ws ")" | "-" factor
        number ::= [0-9]+
        ws     ::= [ ]*
        """;

    public const string List = """
        root ::= item+
        item ::= "- " [^\n]+ "\n"   # one line per item
        """;

    public const string Json = """
        root   ::= object
        value  ::= object | array | string | number | ("true" | "false" | "null") ws

        object ::=
          "{" ws (
                    string ":" ws value
            ("," ws string ":" ws value)*
          )? "}" ws

        array  ::=
          "[" ws (
                    value
            ("," ws value)*
          )? "]" ws

        string ::=
          "\"" (
            [^"\\\x7F\x00-\x1F] |
            "\\" (["\\bfnrt] | "u" [0-9a-fA-F]{4}) # escapes
          )* "\"" ws

        number ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ("." [0-9]+)? ([eE] [-+]? [0-9] [1-9]{0,15})? ws

        # Optional space: by convention, applied in this grammar after literal chars when allowed
        ws ::= | " " | "\n" [ \t]{0,20}
        """;

    [Theory]
    [InlineData("1", true)]
    [InlineData("1 + 2*(3 - -4)/5", true)]
    [InlineData("((7))", true)]
    [InlineData("1 +", false)]
    [InlineData("(1", false)]
    [InlineData("1 2", false)]
    [InlineData("", false)]
    public void Arithmetic_grammar(string text, bool ok) => Assert.Equal(ok, Matches(Grammar.Parse(Arithmetic), text));

    [Theory]
    [InlineData("- milk\n", true)]
    [InlineData("- milk\n- eggs and ham\n", true)]
    [InlineData("- milk", false)]
    [InlineData("-milk\n", false)]
    [InlineData("- \n", false)]
    public void List_grammar(string text, bool ok) => Assert.Equal(ok, Matches(Grammar.Parse(List), text));

    [Theory]
    [InlineData("{}", true)]
    [InlineData("{\"a\": [1, 2.5e3, -0, true, null], \"b\": {\"c\": \"d\\n\\u00e9\"}}", true)]
    [InlineData("{\"k\":\"日本語 ✓ 🙂\"}", true)]
    [InlineData("{\n  \"a\": 1\n}", true)]
    [InlineData("[1]", false)]           // root is an object
    [InlineData("{\"a\" 1}", false)]
    [InlineData("{\"a\":01x}", false)]
    [InlineData("{\"a\":\"\\x\"}", false)]
    [InlineData("{\"a\":\"\u0001\"}", false)]
    public void Json_grammar(string text, bool ok) => Assert.Equal(ok, Matches(Grammar.Parse(Json), text));

    [Fact]
    public void Built_in_json_grammars_accept_json_and_reject_non_json()
    {
        Assert.True(Matches(Grammar.AnyJson, "[1, {\"x\": \"y\"}, \"s\", -1.5E+3, false]"));
        Assert.True(Matches(Grammar.AnyJson, "\"just a string\""));
        Assert.False(Matches(Grammar.AnyJson, "[1,]"));
        Assert.True(Matches(Grammar.JsonObject, "{\"a\": {}}"));
        Assert.False(Matches(Grammar.JsonObject, "42"));
    }

    [Theory]
    [InlineData("root ::= \"a\"{3}", "aaa", true)]
    [InlineData("root ::= \"a\"{3}", "aa", false)]
    [InlineData("root ::= \"ab\"{2,3}", "abab", true)]
    [InlineData("root ::= \"ab\"{2,3}", "ababab", true)]
    [InlineData("root ::= \"ab\"{2,3}", "abababab", false)]
    [InlineData("root ::= \"a\"{2,} \"b\"", "aaaaab", true)]
    [InlineData("root ::= \"a\"{2,} \"b\"", "ab", false)]
    [InlineData("root ::= \"a\"{0} \"b\"", "b", true)]
    [InlineData("root ::= \"x\"? \"y\"", "y", true)]
    [InlineData("root ::= (\"x\" | \"yz\")+", "xyzx", true)]
    [InlineData("root ::= [^a-c]", "d", true)]
    [InlineData("root ::= [^a-c]", "b", false)]
    [InlineData("root ::= [a-c-]", "-", true)]
    [InlineData("root ::= .", "é", true)]
    [InlineData("root ::= \"\\x41\\u00e9\\U0001F600\\t\"", "Aé😀\t", true)]
    [InlineData("root ::= [\\x30-\\x39]+", "123", true)]
    [InlineData("root ::= [\\]\\[]", "]", true)]
    [InlineData("root ::= \"日\" [本-語]", "日本", true)]
    [InlineData("root ::= a\na ::= \"x\"\n     | \"y\"", "y", true)]
    [InlineData("root ::= \"a\" # comment \"b\"", "a", true)]
    [InlineData("root ::= \"a\"\n# comment line\n\nb ::= \"c\"", "a", true)]
    [InlineData("root ::= (\n  \"a\"\n  \"b\"\n)", "ab", true)]
    public void Grammar_features(string gbnf, string text, bool ok) => Assert.Equal(ok, Matches(Grammar.Parse(gbnf), text));

    [Theory]
    [InlineData("root ::= foo", 1, 10, "undefined rule 'foo'")]
    [InlineData("root ::= \"a\"\nx ::= \"b\" bar", 2, 11, "undefined rule 'bar'")]
    [InlineData("root = \"a\"", 1, 6, "expected '::='")]
    [InlineData("root ::= \"abc", 1, 10, "unterminated string")]
    [InlineData("root ::= [abc", 1, 10, "unterminated character class")]
    [InlineData("root ::= \"\\q\"", 1, 11, "unknown escape")]
    [InlineData("root ::= \"\\x4\"", 1, 11, "hex digits")]
    [InlineData("root ::= (\"a\"", 1, 10, "missing ')'")]
    [InlineData("root ::= \"a\")", 1, 13, "unexpected ')'")]
    [InlineData("root ::= *", 1, 10, "must follow an item")]
    [InlineData("root ::= \"a\"{3,1}", 1, 13, "below its minimum")]
    [InlineData("root ::= [z-a]", 1, 13, "reversed")]
    [InlineData("root ::= \"a\"\nroot ::= \"b\"", 2, 1, "defined twice")]
    [InlineData("root ::= expr\nexpr ::= expr \"+\" \"1\" | \"1\"", 2, 1, "left-recursive")]
    [InlineData("   \n# only a comment\n", 3, 1, "empty")]
    [InlineData("root ::= \"a\"\n\"b\"", 2, 1, "expected a rule name")]
    public void Errors_name_line_and_column(string gbnf, int line, int column, string message)
    {
        var e = Assert.Throws<GrammarFormatException>(() => Grammar.Parse(gbnf));
        Assert.Contains(message, e.Message);
        Assert.Equal((line, column), (e.Line, e.Column));
        Assert.StartsWith($"GBNF line {line}, column {column}:", e.Message);
    }

    [Fact]
    public void Missing_root_is_a_clear_error()
    {
        var e = Assert.Throws<GrammarFormatException>(() => Grammar.Parse("start ::= \"a\""));
        Assert.Contains("no rule named 'root'", e.Message);
        Assert.True(Matches(Grammar.Parse("start ::= \"a\"", "start"), "a"));
    }

    [Fact]
    public void Partial_utf8_prefixes_are_alive_only_if_some_completion_matches()
    {
        var g = Grammar.Parse("root ::= \"é\" | \"日\"");
        byte[] e = "é"u8.ToArray(), ri = "日"u8.ToArray();
        Assert.True(IsPrefix(g, [e[0]]));
        Assert.True(IsPrefix(g, [ri[0], ri[1]]));
        Assert.False(IsPrefix(g, [0xE3]));            // lead byte of U+3000..U+3FFF: nothing there
        Assert.False(IsPrefix(g, [0xC3, 0x41]));      // broken sequence
        Assert.False(IsPrefix(g, [0xC0, 0x80]));      // overlong
        var any = Grammar.Parse("root ::= .*");
        Assert.False(IsPrefix(any, [0xE0, 0x81]));    // would be an overlong 3-byte form
        Assert.False(IsPrefix(any, [0xF0, 0x80]));    // would be an overlong 4-byte form
        Assert.False(IsPrefix(any, [0xED, 0xA0]));    // would be a surrogate
        Assert.False(IsPrefix(any, [0xF4, 0x90]));    // would be beyond U+10FFFF
        Assert.True(IsPrefix(any, [0xF4, 0x8F]));
        Assert.True(Matches(g, ri));
        Assert.False(Matches(g, [ri[0], ri[1]]));     // pending bytes: not complete yet
    }
}
