using System.Text.Json;
using Hearth.Server.Protocol;

namespace Hearth.Server.Endpoints;

/// <summary>The <c>text_completion</c> object, streamed chunks included.</summary>
internal sealed class CompletionShape(string id, long created, string model) : IResponseShape
{
    public string? FirstChunk() => null;

    public IEnumerable<string> TextChunks(string text) => [Serialize(text, null, null)];

    public IEnumerable<string> FinalChunks(string finishReason) => [Serialize(string.Empty, finishReason, null)];

    public string UsageChunk(Usage usage) => JsonSerializer.Serialize(
        new CompletionResponse { Id = id, Created = created, Model = model, Choices = [], Usage = usage },
        ServerJsonContext.Default.CompletionResponse);

    public string Whole(string text, string finishReason, Usage usage) => Serialize(text, finishReason, usage);

    private string Serialize(string text, string? finishReason, Usage? usage) => JsonSerializer.Serialize(
        new CompletionResponse
        {
            Id = id,
            Created = created,
            Model = model,
            Choices = [new CompletionChoice { Text = text, FinishReason = finishReason }],
            Usage = usage,
        },
        ServerJsonContext.Default.CompletionResponse);
}
