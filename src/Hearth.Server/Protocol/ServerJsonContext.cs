using System.Text.Json.Serialization;

namespace Hearth.Server.Protocol;

/// <summary>Source-generated (reflection-free) JSON for every request and response type of the API.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ChatCompletionRequest))]
[JsonSerializable(typeof(CompletionRequest))]
[JsonSerializable(typeof(EmbeddingRequest))]
[JsonSerializable(typeof(ChatCompletionResponse))]
[JsonSerializable(typeof(ChatCompletionChunk))]
[JsonSerializable(typeof(CompletionResponse))]
[JsonSerializable(typeof(EmbeddingResponse))]
[JsonSerializable(typeof(EmbeddingBase64Response))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(ModelInfo))]
[JsonSerializable(typeof(HealthStatus))]
[JsonSerializable(typeof(ReadyStatus))]
[JsonSerializable(typeof(TokenizeRequest))]
[JsonSerializable(typeof(DetokenizeRequest))]
[JsonSerializable(typeof(DetokenizeResponse))]
[JsonSerializable(typeof(RerankRequest))]
[JsonSerializable(typeof(ProcessList))]
[JsonSerializable(typeof(ErrorResponse))]
internal sealed partial class ServerJsonContext : JsonSerializerContext;
