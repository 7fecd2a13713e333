using System.Text.Json.Serialization;

namespace Hearth.Server.Protocol.Responses;

/// <summary>Source-generated JSON for the Responses API's types (apart from the rest of the API's, so each endpoint owns its own).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ResponsesRequest))]
[JsonSerializable(typeof(ResponseObject))]
[JsonSerializable(typeof(ResponseStreamEvent))]
[JsonSerializable(typeof(ResponseDeleted))]
internal sealed partial class ResponsesJsonContext : JsonSerializerContext;
