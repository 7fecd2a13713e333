namespace Hearth.Chat;

/// <summary>
/// A chat template could not be parsed or rendered. <see cref="Line"/>/<see cref="Column"/> point into the template
/// source (1-based; 0 when unknown). <see cref="RaisedByTemplate"/> is true when the template itself called
/// <c>raise_exception(...)</c>, in which case <see cref="Reason"/> is the template's own message.
/// </summary>
public sealed class JinjaException : Exception
{
    /// <summary>An error at <paramref name="line"/>:<paramref name="column"/> of the template; <paramref name="raisedByTemplate"/> when the template itself raised it.</summary>
    public JinjaException(string reason, int line, int column, bool raisedByTemplate = false)
        : base(line > 0 ? $"{reason} (template line {line}, column {column})" : reason)
    {
        Reason = reason;
        Line = line;
        Column = column;
        RaisedByTemplate = raisedByTemplate;
    }

    /// <summary>An error without details.</summary>
    public JinjaException()
        : this("chat template error", 0, 0)
    {
    }

    /// <summary>An error with a message.</summary>
    public JinjaException(string message)
        : this(message, 0, 0)
    {
    }

    /// <summary>An error caused by <paramref name="innerException"/>.</summary>
    public JinjaException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
    }

    /// <summary>What went wrong, without the location.</summary>
    public string Reason { get; } = "";

    /// <summary>1-based line in the template source, or 0 when unknown.</summary>
    public int Line { get; }

    /// <summary>1-based column in the template source, or 0 when unknown.</summary>
    public int Column { get; }

    /// <summary>The template called <c>raise_exception(message)</c>: the template rejects its input.</summary>
    public bool RaisedByTemplate { get; }
}
