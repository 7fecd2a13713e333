namespace Hearth.Server.Scheduling;

/// <summary>The request's sampling settings, validated, in OpenAI's terms.</summary>
internal sealed record SamplingParameters
{
    /// <summary>OpenAI's default is 1; 0 is greedy.</summary>
    public float Temperature { get; init; } = 1f;

    public float TopP { get; init; } = 1f;

    public ulong? Seed { get; init; }

    public float PresencePenalty { get; init; }

    public float FrequencyPenalty { get; init; }

    /// <summary>Token id to bias added to its logit (-100 effectively bans, +100 effectively forces).</summary>
    public IReadOnlyDictionary<int, float>? LogitBias { get; init; }
}
