using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hearth.Server.Protocol;

/// <summary>Body of <c>POST /v1/embeddings</c>.</summary>
internal sealed class EmbeddingRequest
{
    [JsonPropertyName("model")]
    public string? Model { get; set; }

    /// <summary>A string, an array of strings, an array of token ids, or an array of token-id arrays.</summary>
    [JsonPropertyName("input")]
    public JsonElement? Input { get; set; }

    /// <summary>"float" (default) or "base64" (little-endian float32 bytes; the .NET SDK asks for this).</summary>
    [JsonPropertyName("encoding_format")]
    public string? EncodingFormat { get; set; }

    [JsonPropertyName("dimensions")]
    public int? Dimensions { get; set; }

    [JsonPropertyName("user")]
    public string? User { get; set; }
}
