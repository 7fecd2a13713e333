using Hearth.Chat.ToolCalls;

namespace Hearth.Server.Endpoints;

/// <summary>One step of a reply's content through the tool-call parser, as every API shape (chat, Responses, Messages) needs it.</summary>
internal static class ToolCallStep
{
    /// <summary>
    /// The text left to show and the calls completed or grown in this step; with <paramref name="final"/>, what the
    /// parser still held is flushed. Without a parser the content is all text.
    /// </summary>
    public static (string Content, IReadOnlyList<ToolCallDelta> Calls) Split(ToolCallParser? tools, string content, bool final)
    {
        if (tools is null) return (content, []);
        var u = content.Length > 0 ? tools.Push(content) : ToolCallUpdate.Empty;
        if (final)
        {
            var f = tools.Finish();
            u = new ToolCallUpdate(u.Content + f.Content, [.. u.ToolCalls, .. f.ToolCalls]);
        }
        return (u.Content, u.ToolCalls);
    }
}
