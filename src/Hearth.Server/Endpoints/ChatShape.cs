using System.Text.Json;
using Hearth.Chat;
using Hearth.Chat.ToolCalls;
using Hearth.Server.Protocol;

namespace Hearth.Server.Endpoints;

/// <summary>
/// The <c>chat.completion</c> / <c>chat.completion.chunk</c> objects. With <paramref name="reasoning"/> set, a leading
/// <c>&lt;think&gt;…&lt;/think&gt;</c> block goes to <c>reasoning_content</c> (DeepSeek's field) instead of <c>content</c>.
/// With <paramref name="tools"/> set, the answer text is parsed for tool calls, which go to <c>tool_calls</c> (streamed
/// as OpenAI does: a call's index, id, type and name first, then fragments of its arguments) with finish reason
/// <c>tool_calls</c>.
/// </summary>
internal sealed class ChatShape(string id, long created, string model, ReasoningParser? reasoning = null, ToolCallParser? tools = null) : IResponseShape
{
    private bool _calledTools;

    public string? FirstChunk() => Chunk(new ChatDelta { Role = "assistant", Content = string.Empty }, null);

    public IEnumerable<string> TextChunks(string text)
    {
        if (reasoning is null && tools is null) return [Chunk(new ChatDelta { Content = text }, null)];
        var deltas = Deltas(reasoning is null ? new ReasoningDelta("", text) : reasoning.Push(text), final: false);
        if (deltas.Count == 0) return [];
        var chunks = new string[deltas.Count];
        for (int i = 0; i < chunks.Length; i++) chunks[i] = Chunk(deltas[i], null);
        return chunks;
    }

    public IEnumerable<string> FinalChunks(string finishReason)
    {
        if (reasoning != null || tools != null)
        {
            foreach (var delta in Deltas(reasoning?.Flush() ?? new ReasoningDelta("", ""), final: true)) yield return Chunk(delta, null);
        }
        yield return Chunk(new ChatDelta(), Reason(finishReason));
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
        List<ToolCallOut>? calls = null;
        if (tools != null)
        {
            tools.Push(text);
            tools.Finish();
            var result = tools.Result;
            text = result.Content;
            if (result.ToolCalls.Count > 0)
            {
                _calledTools = true;
                calls = new List<ToolCallOut>(result.ToolCalls.Count);
                foreach (var c in result.ToolCalls)
                {
                    calls.Add(new ToolCallOut { Id = c.Id, Type = "function", Function = new FunctionCallOut { Name = c.Name, Arguments = c.Arguments } });
                }
            }
        }
        return JsonSerializer.Serialize(
            new ChatCompletionResponse
            {
                Id = id,
                Created = created,
                Model = model,
                Choices = [new ChatChoice
                {
                    Message = new ChatResponseMessage
                    {
                        // OpenAI sends null content with tool calls when the model wrote no text beside them.
                        Content = calls != null && text.Length == 0 ? null : text,
                        ReasoningContent = string.IsNullOrEmpty(thought) ? null : thought,
                        ToolCalls = calls,
                    },
                    FinishReason = Reason(finishReason),
                }],
                Usage = usage,
            },
            ServerJsonContext.Default.ChatCompletionResponse);
    }

    /// <summary>A reply that called tools and ended on its own ends with "tool_calls"; cut off by the limit it stays "length".</summary>
    private string Reason(string finishReason) => _calledTools && finishReason == "stop" ? "tool_calls" : finishReason;

    /// <summary>The deltas for one step: reasoning and content in one, then each tool call's head and arguments apart.</summary>
    private List<ChatDelta> Deltas(ReasoningDelta d, bool final)
    {
        var list = new List<ChatDelta>();
        var (content, calls) = ToolCallStep.Split(tools, d.Content, final);
        if (content.Length > 0 || d.Reasoning.Length > 0)
        {
            list.Add(new ChatDelta { Content = content.Length > 0 ? content : null, ReasoningContent = d.Reasoning.Length > 0 ? d.Reasoning : null });
        }
        foreach (var c in calls)
        {
            if (c.Name is not null)
            {
                _calledTools = true;
                list.Add(new ChatDelta { ToolCalls = [new ToolCallOut { Index = c.Index, Id = c.Id, Type = "function", Function = new FunctionCallOut { Name = c.Name, Arguments = "" } }] });
            }
            if (c.Arguments.Length > 0)
            {
                list.Add(new ChatDelta { ToolCalls = [new ToolCallOut { Index = c.Index, Function = new FunctionCallOut { Arguments = c.Arguments } }] });
            }
        }
        return list;
    }

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
