using System.Text.Json.Serialization;

namespace Hearth.Server.Protocol;

/// <summary><c>POST /tokenize</c>, as llama-server takes it.</summary>
internal sealed class TokenizeRequest
{
    /// <summary>The served model to tokenize with (the first one when absent).</summary>
    [JsonPropertyName("model")]
    public string? Model { get; set; }

    [JsonPropertyName("content")]
    public string? Content { get; set; }

    /// <summary>Add BOS/EOS as the vocabulary asks (llama-server's default: false).</summary>
    [JsonPropertyName("add_special")]
    public bool? AddSpecial { get; set; }

    /// <summary>Recognise special-token text such as <c>&lt;|im_start|&gt;</c> (default: true).</summary>
    [JsonPropertyName("parse_special")]
    public bool? ParseSpecial { get; set; }

    /// <summary>Return <c>{"id", "piece"}</c> objects instead of bare ids.</summary>
    [JsonPropertyName("with_pieces")]
    public bool? WithPieces { get; set; }
}

/// <summary><c>POST /detokenize</c>.</summary>
internal sealed class DetokenizeRequest
{
    [JsonPropertyName("model")]
    public string? Model { get; set; }

    [JsonPropertyName("tokens")]
    public List<int>? Tokens { get; set; }
}

/// <summary>The <c>/detokenize</c> reply.</summary>
internal sealed class DetokenizeResponse
{
    [JsonPropertyName("content")]
    public required string Content { get; init; }
}

/// <summary><c>POST /v1/rerank</c> (Jina/Cohere shape, as llama-server takes it).</summary>
internal sealed class RerankRequest
{
    [JsonPropertyName("model")]
    public string? Model { get; set; }

    [JsonPropertyName("query")]
    public string? Query { get; set; }

    /// <summary>Strings, or objects with a <c>text</c> field.</summary>
    [JsonPropertyName("documents")]
    public System.Text.Json.JsonElement? Documents { get; set; }

    [JsonPropertyName("top_n")]
    public int? TopN { get; set; }

    [JsonPropertyName("return_documents")]
    public bool? ReturnDocuments { get; set; }
}
