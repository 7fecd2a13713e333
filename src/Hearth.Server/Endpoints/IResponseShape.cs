using Hearth.Server.Protocol;

namespace Hearth.Server.Endpoints;

/// <summary>How one endpoint (chat or text completions) spells its streamed chunks and its whole answer, as JSON text.</summary>
internal interface IResponseShape
{
    /// <summary>The chunk sent before any text (chat announces the assistant role), or null.</summary>
    string? FirstChunk();

    /// <summary>The chunks for newly generated text; none when nothing can be sent yet (text held back).</summary>
    IEnumerable<string> TextChunks(string text);

    /// <summary>Whatever was held back, then the chunk carrying the finish reason.</summary>
    IEnumerable<string> FinalChunks(string finishReason);

    /// <summary>The extra last chunk for <c>stream_options.include_usage</c>.</summary>
    string UsageChunk(Usage usage);

    string Whole(string text, string finishReason, Usage usage);
}
