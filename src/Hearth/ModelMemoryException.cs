namespace Hearth;

/// <summary>
/// A session of the model would need more memory than the machine has (or than <see cref="ModelOptions.MemoryLimit"/>
/// allows): refused from an estimate before anything is allocated. The message gives both figures and what drives the
/// estimate, so a smaller context or batch can be chosen.
/// </summary>
public sealed class ModelMemoryException : Exception
{
    /// <paramref name="requiredBytes"/> would be needed where <paramref name="limitBytes"/> are available.
    public ModelMemoryException(string message, long requiredBytes, long limitBytes)
        : base(message)
    {
        RequiredBytes = requiredBytes;
        LimitBytes = limitBytes;
    }

    /// <summary>A memory error without details.</summary>
    public ModelMemoryException()
    {
    }

    /// <summary>A memory error with a message.</summary>
    public ModelMemoryException(string message)
        : base(message)
    {
    }

    /// <summary>A memory error caused by <paramref name="innerException"/>.</summary>
    public ModelMemoryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Estimated bytes a session needs (KV cache, forward-pass scratch, logits).</summary>
    public long RequiredBytes { get; }

    /// <summary>The limit it was compared with.</summary>
    public long LimitBytes { get; }
}
