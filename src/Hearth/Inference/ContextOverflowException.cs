namespace Hearth.Inference;

/// <summary>More tokens were submitted than the session's context holds.</summary>
public sealed class ContextOverflowException : InvalidOperationException
{
    /// <paramref name="requested"/> tokens were needed where <paramref name="capacity"/> fit.
    public ContextOverflowException(int requested, int capacity)
        : base($"The context is full: {requested} tokens requested but the context holds {capacity}. " +
               "Use a shorter prompt, or a larger context: the contextSize of Model.CreateSession / ChatSession / " +
               "HearthChatClientOptions.ContextSize (the CLI's -c, the server's --ctx).")
    {
        Requested = requested;
        Capacity = capacity;
    }

    /// <summary>An overflow without details.</summary>
    public ContextOverflowException()
    {
    }

    /// <summary>An overflow with a message.</summary>
    public ContextOverflowException(string message)
        : base(message)
    {
    }

    /// <summary>An overflow caused by <paramref name="innerException"/>.</summary>
    public ContextOverflowException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Tokens the operation needed.</summary>
    public int Requested { get; }

    /// <summary>Tokens the context holds.</summary>
    public int Capacity { get; }
}
