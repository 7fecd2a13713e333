using Hearth.Chat;

namespace Hearth.Tests.Chat;

/// <summary>Bad templates and failing renders raise <see cref="JinjaException"/> naming the problem and where it is.</summary>
public class JinjaErrorTests
{
    private static JinjaException Fails(string template, string vars = "{}") =>
        Assert.Throws<JinjaException>(() => JinjaInterpreterTests.Render(template, vars));

    [Theory]
    [InlineData("a\n\n{% include 'other.jinja' %}", "include", 3)]
    [InlineData("{% extends 'base' %}", "extends", 1)]
    [InlineData("x\n{% block body %}{% endblock %}", "block", 2)]
    [InlineData("x\n{{ 1 | nosuchfilter }}", "unknown filter 'nosuchfilter'", 2)]
    [InlineData("{% if x is nosuchtest %}{% endif %}", "unknown test 'nosuchtest'", 1)]
    [InlineData("\n\n{% frobnicate %}", "unknown template statement 'frobnicate'", 3)]
    [InlineData("{% for x in y recursive %}{{ x }}{% endfor %}", "recursive for loops are not supported", 1)]
    public void Unsupported_constructs_name_themselves_and_their_line(string template, string what, int line)
    {
        var e = Fails(template, """{"y": [1]}""");
        Assert.Contains(what, e.Reason);
        Assert.Equal(line, e.Line);
        Assert.Contains($"line {line}", e.Message);
        Assert.False(e.RaisedByTemplate);
    }

    [Theory]
    [InlineData("{% if x %}abc", "'if' block opened on line 1 is never closed")]
    [InlineData("{% for x in y %}abc{% endif %}", "unexpected 'endif' inside the 'for' block opened on line 1")]
    [InlineData("{{ x ", "unclosed '{{'")]
    [InlineData("{# note", "unclosed comment")]
    [InlineData("{{ 'abc }}", "unterminated string")]
    [InlineData("{{ 1 + }}", "where an expression was expected")]
    [InlineData("{% endfor %}", "no open block")]
    [InlineData("{{ a b }}", "expected '}}'")]
    public void Syntax_errors_say_what_is_wrong(string template, string what)
    {
        var e = Assert.Throws<JinjaException>(() => ChatTemplate.Parse(template));
        Assert.Contains(what, e.Message);
        Assert.True(e.Line >= 1);
    }

    [Theory]
    [InlineData("{{ x.y }}", "'x' is undefined")]
    [InlineData("{{ x + 1 }}", "'x' is undefined")]
    [InlineData("{{ x[0] }}", "'x' is undefined")]
    [InlineData("{{ d.missing.deeper }}", "'dict object' has no attribute 'missing'")]
    [InlineData("{{ nosuchfunction(1) }}", "'nosuchfunction' is undefined")]
    [InlineData("{{ 'a' + 1 }}", "unsupported operand type(s) for +: 'str' and 'int'")]
    [InlineData("{{ 1 / 0 }}", "division by zero")]
    [InlineData("{{ 1 < 'a' }}", "cannot compare 'int' with 'str'")]
    [InlineData("{{ x | tojson }}", "cannot serialize an undefined value")]
    [InlineData("{% set a, b = [1] %}", "cannot unpack 1 values into 2 names")]
    [InlineData("{% set s = 'x' %}{% set s.attr = 1 %}", "only namespace() objects accept attribute assignment")]
    [InlineData("{{ 5 | items }}", "the items filter expects a mapping")]
    public void Runtime_errors_match_jinja2(string template, string what)
    {
        var e = Fails(template, """{"d": {"a": 1}}""");
        Assert.Contains(what, e.Reason);
        Assert.Equal(1, e.Line);
    }

    [Fact]
    public void Raise_exception_reports_the_templates_own_message()
    {
        var e = Fails("line one\n{{ raise_exception('Only user and assistant roles are supported!') }}");
        Assert.True(e.RaisedByTemplate);
        Assert.Equal("Only user and assistant roles are supported!", e.Reason);
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void Runaway_macro_recursion_is_an_error_not_a_crash()
    {
        var e = Fails("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}");
        Assert.Contains("recursed more than 200 levels", e.Reason);
    }
}
