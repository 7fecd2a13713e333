namespace Hearth;

/// <summary>
/// A session of the model would need more memory than the machine has (or than <see cref="ModelOptions.MemoryLimit"/>
/// allows): refused from an estimate before anything is allocated. The message gives both figures and what drives the
/// estimate, so a smaller context or batch can be chosen.
/// </summary>
public sealed class ModelMemoryException : Exception
{
    public ModelMemoryException(string message, long requiredBytes, long limitBytes)
        : base(message)
    {
        RequiredBytes = requiredBytes;
        LimitBytes = limitBytes;
    }

    public ModelMemoryException()
    {
    }

    public ModelMemoryException(string message)
        : base(message)
    {
    }

    public ModelMemoryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Estimated bytes a session needs (KV cache, forward-pass scratch, logits).</summary>
    public long RequiredBytes { get; }

    /// <summary>The limit it was compared with.</summary>
    public long LimitBytes { get; }
}
