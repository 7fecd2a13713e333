using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hearth.Server.Protocol;

/// <summary>Body of <c>POST /v1/completions</c>.</summary>
internal sealed class CompletionRequest : SamplingRequestFields
{
    /// <summary>A string, an array of one string, or an array of token ids.</summary>
    [JsonPropertyName("prompt")]
    public JsonElement? Prompt { get; set; }

    [JsonPropertyName("echo")]
    public bool? Echo { get; set; }
}
