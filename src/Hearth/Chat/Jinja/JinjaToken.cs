namespace Hearth.Chat.Jinja;

internal enum JinjaTokenKind
{
    /// <summary>Literal template text, already trimmed by whitespace control.</summary>
    Text,
    VariableBegin,
    VariableEnd,
    BlockBegin,
    BlockEnd,
    Name,
    String,
    Integer,
    Float,
    /// <summary>Punctuation or operator; <see cref="JinjaToken.Text"/> holds it (<c>+</c>, <c>//</c>, <c>(</c>, ...).</summary>
    Operator,
    Eof,
}

/// <summary>One lexical token with its 1-based position in the (newline-normalized) template source.</summary>
internal readonly record struct JinjaToken(JinjaTokenKind Kind, string Text, int Line, int Column, object? Value = null)
{
    public bool Is(JinjaTokenKind kind, string text) => Kind == kind && Text == text;

    public bool IsOp(string op) => Kind == JinjaTokenKind.Operator && Text == op;

    public bool IsName(string name) => Kind == JinjaTokenKind.Name && Text == name;

    public override string ToString() => Kind switch
    {
        JinjaTokenKind.Eof => "end of template",
        JinjaTokenKind.Text => "template text",
        JinjaTokenKind.VariableEnd => "'}}'",
        JinjaTokenKind.BlockEnd => "'%}'",
        JinjaTokenKind.String => $"string '{Text}'",
        _ => $"'{Text}'",
    };
}
