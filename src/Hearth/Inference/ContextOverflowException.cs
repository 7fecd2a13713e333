namespace Hearth.Inference;

/// <summary>More tokens were submitted than the session's context holds.</summary>
public sealed class ContextOverflowException : InvalidOperationException
{
    public ContextOverflowException(int requested, int capacity)
        : base($"The context is full: {requested} tokens requested but the context holds {capacity}. " +
               "Use a shorter prompt or a larger context (-c / contextSize).")
    {
        Requested = requested;
        Capacity = capacity;
    }

    public ContextOverflowException()
    {
    }

    public ContextOverflowException(string message)
        : base(message)
    {
    }

    public ContextOverflowException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int Requested { get; }

    public int Capacity { get; }
}
