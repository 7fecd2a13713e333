namespace Hearth.Gguf;

/// <summary>A GGUF file is malformed: the message says what is wrong and <see cref="Offset"/> where.</summary>
public sealed class GgufFormatException : Exception
{
    /// <summary>The file is malformed at <paramref name="offset"/>.</summary>
    public GgufFormatException(string message, long offset)
        : base($"{message} (at byte offset {offset})")
    {
        Offset = offset;
    }

    /// <summary>A format error without details.</summary>
    public GgufFormatException()
    {
    }

    /// <summary>A format error with a message.</summary>
    public GgufFormatException(string message)
        : base(message)
    {
    }

    /// <summary>A format error caused by <paramref name="innerException"/>.</summary>
    public GgufFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Byte offset in the file where the problem was found.</summary>
    public long Offset { get; }
}
