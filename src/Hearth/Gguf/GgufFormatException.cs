namespace Hearth.Gguf;

/// <summary>A GGUF file is malformed: the message says what is wrong and <see cref="Offset"/> where.</summary>
public sealed class GgufFormatException : Exception
{
    public GgufFormatException(string message, long offset)
        : base($"{message} (at byte offset {offset})")
    {
        Offset = offset;
    }

    public GgufFormatException()
    {
    }

    public GgufFormatException(string message)
        : base(message)
    {
    }

    public GgufFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Byte offset in the file where the problem was found.</summary>
    public long Offset { get; }
}
