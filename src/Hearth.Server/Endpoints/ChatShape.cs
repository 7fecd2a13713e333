using System.Text.Json;
using Hearth.Server.Protocol;

namespace Hearth.Server.Endpoints;

/// <summary>The <c>chat.completion</c> / <c>chat.completion.chunk</c> objects.</summary>
internal sealed class ChatShape(string id, long created, string model) : IResponseShape
{
    public string? FirstChunk() => Chunk(new ChatDelta { Role = "assistant", Content = string.Empty }, null);

    public string TextChunk(string text) => Chunk(new ChatDelta { Content = text }, null);

    public string FinalChunk(string finishReason) => Chunk(new ChatDelta(), finishReason);

    public string UsageChunk(Usage usage) => JsonSerializer.Serialize(
        new ChatCompletionChunk { Id = id, Created = created, Model = model, Choices = [], Usage = usage },
        ServerJsonContext.Default.ChatCompletionChunk);

    public string Whole(string text, string finishReason, Usage usage) => JsonSerializer.Serialize(
        new ChatCompletionResponse
        {
            Id = id,
            Created = created,
            Model = model,
            Choices = [new ChatChoice { Message = new ChatResponseMessage { Content = text }, FinishReason = finishReason }],
            Usage = usage,
        },
        ServerJsonContext.Default.ChatCompletionResponse);

    private string Chunk(ChatDelta delta, string? finishReason)
    {
        return JsonSerializer.Serialize(
            new ChatCompletionChunk
            {
                Id = id,
                Created = created,
                Model = model,
                Choices = [new ChatChunkChoice { Delta = delta, FinishReason = finishReason }],
            },
            ServerJsonContext.Default.ChatCompletionChunk);
    }
}
