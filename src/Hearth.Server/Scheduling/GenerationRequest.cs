using System.Threading.Channels;
using Hearth.Sampling;

namespace Hearth.Server.Scheduling;

/// <summary>
/// One generation job handed to the <see cref="Scheduler"/>: the prompt tokens and decoding limits in, a channel of
/// <see cref="GenerationEvent"/>s out (written only by the engine thread, read by the HTTP handler).
/// </summary>
internal sealed class GenerationRequest
{
    private int _cancelled;

    public GenerationRequest(int[] promptTokens, int maxTokens, SamplerOptions sampling, IReadOnlyList<string> stop)
    {
        PromptTokens = promptTokens;
        MaxTokens = maxTokens;
        Sampling = sampling;
        Stop = stop;
    }

    public int[] PromptTokens { get; }

    /// <summary>Most tokens to generate (the slot's context may cut it shorter: finish reason "length").</summary>
    public int MaxTokens { get; }

    public SamplerOptions Sampling { get; }

    public IReadOnlyList<string> Stop { get; }

    public Channel<GenerationEvent> Events { get; } = Channel.CreateUnbounded<GenerationEvent>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamp of arrival (for time-to-first-token).</summary>
    public long ArrivedAt { get; init; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>Set when the client went away; the engine frees the slot at its next step.</summary>
    public bool IsCancelled => Volatile.Read(ref _cancelled) != 0;

    public void Cancel() => Interlocked.Exchange(ref _cancelled, 1);
}

/// <summary>What the engine reports for a request: a piece of text, the end (with counts), or a failure.</summary>
internal readonly record struct GenerationEvent(GenerationEventKind Kind, string? Text = null, string? FinishReason = null,
    int PromptTokens = 0, int CompletionTokens = 0, int CachedTokens = 0, int Status = 0)
{
    public static GenerationEvent Delta(string text) => new(GenerationEventKind.Text, text);

    public static GenerationEvent Finished(string reason, int prompt, int completion, int cached) =>
        new(GenerationEventKind.Finished, FinishReason: reason, PromptTokens: prompt, CompletionTokens: completion, CachedTokens: cached);

    public static GenerationEvent Failed(int status, string message) => new(GenerationEventKind.Failed, message, Status: status);
}

internal enum GenerationEventKind
{
    Text,
    Finished,
    Failed,
}
