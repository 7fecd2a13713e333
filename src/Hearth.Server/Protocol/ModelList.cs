using System.Text.Json.Serialization;

namespace Hearth.Server.Protocol;

/// <summary><c>GET /v1/models</c>.</summary>
internal sealed class ModelList
{
    [JsonPropertyName("object")]
    public string Object => "list";

    [JsonPropertyName("data")]
    public required List<ModelInfo> Data { get; init; }
}

internal sealed class ModelInfo
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("object")]
    public string Object => "model";

    [JsonPropertyName("created")]
    public required long Created { get; init; }

    [JsonPropertyName("owned_by")]
    public string OwnedBy => "hearth";
}

/// <summary><c>GET /health</c>.</summary>
internal sealed class HealthStatus
{
    [JsonPropertyName("status")]
    public required string Status { get; init; }

    [JsonPropertyName("slots_idle")]
    public int SlotsIdle { get; init; }

    [JsonPropertyName("slots_processing")]
    public int SlotsProcessing { get; init; }

    [JsonPropertyName("requests_waiting")]
    public int RequestsWaiting { get; init; }
}

/// <summary><c>GET /ready</c>: <c>ready</c> (200), or <c>loading</c> / <c>draining</c> (503).</summary>
internal sealed class ReadyStatus
{
    [JsonPropertyName("status")]
    public required string Status { get; init; }
}

/// <summary><c>GET /api/ps</c>: every served model and whether it is loaded (what <c>hearth ps</c> shows).</summary>
internal sealed class ProcessList
{
    [JsonPropertyName("models")]
    public required List<ProcessInfo> Models { get; init; }
}

internal sealed class ProcessInfo
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    /// <summary>"loaded", "loading" or "unloaded".</summary>
    [JsonPropertyName("state")]
    public required string State { get; init; }

    /// <summary>Bytes of GGUF mapped for the weights (0 when unloaded).</summary>
    [JsonPropertyName("mapped_bytes")]
    public long MappedBytes { get; init; }

    [JsonPropertyName("requests_in_flight")]
    public int RequestsInFlight { get; init; }

    /// <summary>Unix seconds of the last request, or null.</summary>
    [JsonPropertyName("last_used")]
    public long? LastUsed { get; init; }

    [JsonPropertyName("load_error")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LoadError { get; init; }
}
