namespace Hearth.Gguf;

/// <summary>
/// A GGUF file parses but does not describe a model that can run: a hyper-parameter out of range or contradicting the
/// tensors' shapes, a missing tensor, a vocabulary that does not match the embedding, a malformed tokenizer. The message
/// names the key or tensor (also in <see cref="GgufFormatException.Key"/>) with the value found and the value expected.
/// </summary>
public sealed class ModelConfigurationException : GgufFormatException
{
    public ModelConfigurationException(string message, string? key)
        : base(message, key)
    {
    }

    public ModelConfigurationException()
    {
    }

    public ModelConfigurationException(string message)
        : base(message)
    {
    }

    public ModelConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
