namespace Hearth.Gguf;

/// <summary>
/// A GGUF file is malformed: the message says what is wrong and, where known, <see cref="Offset"/> where in the file and
/// <see cref="Key"/> which metadata key or tensor. A file that parses but describes a model that cannot be run raises the
/// subclass <see cref="ModelConfigurationException"/>; catch this type for both.
/// </summary>
public class GgufFormatException : Exception
{
    /// <summary>The file is malformed at <paramref name="offset"/>.</summary>
    public GgufFormatException(string message, long offset)
        : base($"{message} (at byte offset {offset})")
    {
        Offset = offset;
    }

    /// <summary>A problem with the value of metadata key (or tensor) <paramref name="key"/>, whose byte offset is not known.</summary>
    public GgufFormatException(string message, string? key)
        : base(message)
    {
        Key = key;
        Offset = -1;
    }

    /// <summary>A format error without details.</summary>
    public GgufFormatException()
    {
        Offset = -1;
    }

    /// <summary>A format error with a message.</summary>
    public GgufFormatException(string message)
        : base(message)
    {
        Offset = -1;
    }

    /// <summary>A format error caused by <paramref name="innerException"/>.</summary>
    public GgufFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Offset = -1;
    }

    /// <summary>Byte offset in the file where the problem was found; -1 when the problem is not at one place.</summary>
    public long Offset { get; }

    /// <summary>The metadata key or tensor name the problem is about, or null.</summary>
    public string? Key { get; }
}
