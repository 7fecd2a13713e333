using System.Text.Json;
using Hearth.Chat;
using Hearth.Server.Protocol;

namespace Hearth.Server.Endpoints;

/// <summary>
/// The <c>chat.completion</c> / <c>chat.completion.chunk</c> objects. With <paramref name="reasoning"/> set, a leading
/// <c>&lt;think&gt;…&lt;/think&gt;</c> block goes to <c>reasoning_content</c> (DeepSeek's field) instead of <c>content</c>.
/// </summary>
internal sealed class ChatShape(string id, long created, string model, ReasoningParser? reasoning = null) : IResponseShape
{
    public string? FirstChunk() => Chunk(new ChatDelta { Role = "assistant", Content = string.Empty }, null);

    public string? TextChunk(string text)
    {
        if (reasoning is null) return Chunk(new ChatDelta { Content = text }, null);
        return Delta(reasoning.Push(text));
    }

    public IEnumerable<string> FinalChunks(string finishReason)
    {
        if (reasoning != null && Delta(reasoning.Flush()) is { } rest) yield return rest;
        yield return Chunk(new ChatDelta(), finishReason);
    }

    public string UsageChunk(Usage usage) => JsonSerializer.Serialize(
        new ChatCompletionChunk { Id = id, Created = created, Model = model, Choices = [], Usage = usage },
        ServerJsonContext.Default.ChatCompletionChunk);

    public string Whole(string text, string finishReason, Usage usage)
    {
        string? thought = null;
        if (reasoning != null)
        {
            var a = reasoning.Push(text);
            var b = reasoning.Flush();
            thought = a.Reasoning + b.Reasoning;
            text = a.Content + b.Content;
        }
        return JsonSerializer.Serialize(
            new ChatCompletionResponse
            {
                Id = id,
                Created = created,
                Model = model,
                Choices = [new ChatChoice
                {
                    Message = new ChatResponseMessage { Content = text, ReasoningContent = string.IsNullOrEmpty(thought) ? null : thought },
                    FinishReason = finishReason,
                }],
                Usage = usage,
            },
            ServerJsonContext.Default.ChatCompletionResponse);
    }

    private string? Delta(ReasoningDelta d) => d.IsEmpty ? null : Chunk(new ChatDelta
    {
        Content = d.Content.Length > 0 ? d.Content : null,
        ReasoningContent = d.Reasoning.Length > 0 ? d.Reasoning : null,
    }, null);

    private string Chunk(ChatDelta delta, string? finishReason) => JsonSerializer.Serialize(
        new ChatCompletionChunk
        {
            Id = id,
            Created = created,
            Model = model,
            Choices = [new ChatChunkChoice { Delta = delta, FinishReason = finishReason }],
        },
        ServerJsonContext.Default.ChatCompletionChunk);
}
