namespace Hearth.Hub;

/// <summary>What went wrong getting a model from the Hub.</summary>
public enum HubErrorKind
{
    /// <summary>The repository, revision or file does not exist (or no file matches the quantization asked for).</summary>
    NotFound,

    /// <summary>HTTP 401/403: the repository is gated or private and needs a token (HF_TOKEN).</summary>
    Unauthorized,

    /// <summary>The Hub could not be reached (or offline mode is on) and the cache does not hold the model.</summary>
    Offline,

    /// <summary>The download kept failing (network or server errors) after every retry.</summary>
    Network,

    /// <summary>What arrived does not match the size or hash the Hub reported, after every retry.</summary>
    Integrity,

    /// <summary>The cache's disk has no room for the download.</summary>
    DiskFull,
}

/// <summary>A model could not be pulled or found in the cache; the message says what is missing and what to do.</summary>
public sealed class HubException : Exception
{
    /// <summary>A failure of the given kind.</summary>
    /// <param name="kind">What went wrong.</param>
    /// <param name="message">What is missing and what to do.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public HubException(HubErrorKind kind, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
    }

    /// <summary>A failure with no message (kind <see cref="HubErrorKind.NotFound"/>).</summary>
    public HubException()
    {
    }

    /// <summary>A failure with a message (kind <see cref="HubErrorKind.NotFound"/>).</summary>
    /// <param name="message">What is missing and what to do.</param>
    public HubException(string message)
        : base(message)
    {
    }

    /// <summary>A failure with a message and its cause (kind <see cref="HubErrorKind.NotFound"/>).</summary>
    /// <param name="message">What is missing and what to do.</param>
    /// <param name="innerException">The underlying error.</param>
    public HubException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>What went wrong.</summary>
    public HubErrorKind Kind { get; }
}
