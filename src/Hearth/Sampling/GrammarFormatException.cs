namespace Hearth.Sampling;

/// <summary>A GBNF grammar (or a JSON schema being compiled to one) is malformed; says where and what.</summary>
public sealed class GrammarFormatException : FormatException
{
    /// <summary>The grammar text is malformed at <paramref name="line"/>:<paramref name="column"/>.</summary>
    public GrammarFormatException(string message, int line, int column)
        : base(line > 0 ? $"GBNF line {line}, column {column}: {message}" : message)
    {
        Line = line;
        Column = column;
    }

    /// <summary>A grammar error with a message.</summary>
    public GrammarFormatException(string message) : this(message, 0, 0) { }

    /// <summary>A grammar error without details.</summary>
    public GrammarFormatException() : this("Malformed grammar.") { }

    /// <summary>A grammar error caused by <paramref name="inner"/>.</summary>
    public GrammarFormatException(string message, Exception inner) : base(message, inner) { }

    /// <summary>1-based line of the problem, or 0 when it has no single position.</summary>
    public int Line { get; }

    /// <summary>1-based column of the problem, or 0.</summary>
    public int Column { get; }
}
