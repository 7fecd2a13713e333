using System.Text.Json.Serialization;

namespace Hearth.Server.Protocol;

/// <summary><c>POST /v1/embeddings</c> answer with float arrays.</summary>
internal sealed class EmbeddingResponse
{
    [JsonPropertyName("object")]
    public string Object => "list";

    [JsonPropertyName("data")]
    public required List<EmbeddingItem> Data { get; init; }

    [JsonPropertyName("model")]
    public required string Model { get; init; }

    [JsonPropertyName("usage")]
    public required EmbeddingUsage Usage { get; init; }
}

internal sealed class EmbeddingItem
{
    [JsonPropertyName("object")]
    public string Object => "embedding";

    [JsonPropertyName("index")]
    public int Index { get; init; }

    [JsonPropertyName("embedding")]
    public required float[] Embedding { get; init; }
}

/// <summary><c>POST /v1/embeddings</c> answer with <c>encoding_format: "base64"</c> (little-endian float32 bytes).</summary>
internal sealed class EmbeddingBase64Response
{
    [JsonPropertyName("object")]
    public string Object => "list";

    [JsonPropertyName("data")]
    public required List<EmbeddingBase64Item> Data { get; init; }

    [JsonPropertyName("model")]
    public required string Model { get; init; }

    [JsonPropertyName("usage")]
    public required EmbeddingUsage Usage { get; init; }
}

internal sealed class EmbeddingBase64Item
{
    [JsonPropertyName("object")]
    public string Object => "embedding";

    [JsonPropertyName("index")]
    public int Index { get; init; }

    [JsonPropertyName("embedding")]
    public required string Embedding { get; init; }
}

internal sealed class EmbeddingUsage
{
    [JsonPropertyName("prompt_tokens")]
    public int PromptTokens { get; init; }

    [JsonPropertyName("total_tokens")]
    public int TotalTokens { get; init; }
}
