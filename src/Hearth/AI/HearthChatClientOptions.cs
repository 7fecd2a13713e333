using Hearth.Chat;

namespace Hearth.AI;

/// <summary>How a <see cref="HearthChatClient"/> serves requests.</summary>
public sealed class HearthChatClientOptions
{
    /// <summary>
    /// Sessions (KV caches) kept for concurrent requests and for reuse across turns; a request waits when all are busy.
    /// Each holds <see cref="Hearth.Inference.InferenceSession.KvCacheBytes"/> of memory. Concurrent requests are decoded together.
    /// </summary>
    public int MaxSessions { get; init; } = 2;

    /// <summary>Context size of each session in tokens (0 = the model's, at most 4096).</summary>
    public int ContextSize { get; init; }

    /// <summary>The chat template; null uses the model's (ChatML when it has none).</summary>
    public ChatTemplate? Template { get; init; }

    /// <summary>The token limit when a request sets no <c>MaxOutputTokens</c>.</summary>
    public int DefaultMaxOutputTokens { get; init; } = 512;

    /// <summary>The model id reported in responses and metadata; null uses the GGUF's <c>general.name</c> or the architecture.</summary>
    public string? ModelId { get; init; }

    /// <summary>
    /// The most tool calls a reply forced by <see cref="Microsoft.Extensions.AI.ChatToolMode.RequireAny"/> may hold when
    /// parallel calls are allowed (<see cref="Microsoft.Extensions.AI.ChatOptions.AllowMultipleToolCalls"/> not false).
    /// </summary>
    public int MaxParallelToolCalls { get; init; } = Chat.ToolCalls.ToolCallGrammar.DefaultMaxCalls;

    /// <summary>Dispose the model when the client is disposed.</summary>
    public bool OwnsModel { get; init; }
}
