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
