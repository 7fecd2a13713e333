using System.Text;
using Hearth.Chat;
using Hearth.Chat.ToolCalls;

namespace Hearth.AI;

/// <summary>
/// Takes a streamed reply's answer text through a <see cref="ToolCallParser"/> (when tools were offered): text that is
/// not a call passes on, calls are collected from their deltas until the reply ends. One instance per reply.
/// </summary>
internal sealed class StreamedToolCalls(ToolCallParser? parser)
{
    private readonly List<(string? Id, string Name, StringBuilder Arguments)> _calls = [];
    private readonly List<ChatTemplateToolCall> _completed = [];

    /// <summary>The calls, complete after <see cref="Finish"/>.</summary>
    public IReadOnlyList<ChatTemplateToolCall> Completed => _completed;

    /// <summary>The delta with its answer text stripped of tool calls.</summary>
    public ReasoningDelta Push(ReasoningDelta delta)
    {
        if (parser is null || delta.Content.Length == 0) return delta;
        return delta with { Content = Take(parser.Push(delta.Content)) };
    }

    /// <summary>The last delta, with whatever the parser held back decided.</summary>
    public ReasoningDelta Finish(ReasoningDelta delta)
    {
        if (parser is null) return delta;
        string content = delta.Content.Length > 0 ? Take(parser.Push(delta.Content)) : "";
        content += Take(parser.Finish());
        foreach (var (id, name, args) in _calls) _completed.Add(new ChatTemplateToolCall(name, args.ToString(), id));
        return delta with { Content = content };
    }

    private string Take(ToolCallUpdate update)
    {
        foreach (var d in update.ToolCalls)
        {
            // The first delta of a call carries its name (and id); later ones, with the same index, more arguments.
            while (_calls.Count <= d.Index) _calls.Add((null, "", new StringBuilder()));
            var call = _calls[d.Index];
            if (d.Name is not null) _calls[d.Index] = call = (d.Id ?? call.Id, d.Name, call.Arguments);
            call.Arguments.Append(d.Arguments);
        }
        return update.Content;
    }
}
