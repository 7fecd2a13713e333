namespace Hearth.Gguf;

/// <summary>
/// A GGUF file parses but does not describe a model that can run: a hyper-parameter out of range or contradicting the
/// tensors' shapes, a missing tensor, a vocabulary that does not match the embedding, a malformed tokenizer. The message
/// names the key or tensor (also in <see cref="GgufFormatException.Key"/>) with the value found and the value expected.
/// </summary>
public sealed class ModelConfigurationException : GgufFormatException
{
    /// <summary>The model is not runnable because of metadata key (or tensor) <paramref name="key"/>.</summary>
    public ModelConfigurationException(string message, string? key)
        : base(message, key)
    {
    }

    /// <summary>A configuration error without details.</summary>
    public ModelConfigurationException()
    {
    }

    /// <summary>A configuration error with a message.</summary>
    public ModelConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>A configuration error caused by <paramref name="innerException"/>.</summary>
    public ModelConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
