using System.Text;
using System.Text.Json;
using Hearth.Chat;
using Hearth.Chat.ToolCalls;
using Hearth.Server.Protocol.Anthropic;

namespace Hearth.Server.Endpoints.Anthropic;

/// <summary>One server-sent event: <c>event: Name</c> and <c>data: Data</c>.</summary>
internal readonly record struct SseEvent(string Name, string Data);

/// <summary>
/// The reply of <c>/v1/messages</c> as content blocks: the model's reasoning (split off by the template's
/// <see cref="ReasoningParser"/>) as <c>thinking</c> blocks, its text as <c>text</c> blocks and, when the request has
/// tools, the calls the <see cref="ToolCallParser"/> finds as <c>tool_use</c> blocks. Streamed, it is Anthropic's event
/// sequence (<c>message_start</c>, <c>ping</c>, per block <c>content_block_start</c> / <c>_delta</c> / <c>_stop</c>
/// with <c>thinking_delta</c>, <c>text_delta</c> or <c>input_json_delta</c>, then <c>message_delta</c> and
/// <c>message_stop</c>); whole, it is one <c>message</c> object with the same blocks.
/// </summary>
internal sealed class MessageShape(string id, string model, ReasoningParser? reasoning, ToolCallParser? tools,
    IReadOnlyList<string> stopSequences, bool stream)
{
    private static readonly JsonElement EmptyObject = JsonElement.Parse("{}");

    private readonly List<Block> _blocks = [];
    private readonly Dictionary<int, Block> _calls = [];
    private readonly List<SseEvent> _events = [];
    private Block? _open;

    /// <summary><c>message_start</c> (the message with no content yet; the prompt's tokens as its input) and a <c>ping</c>.</summary>
    public List<SseEvent> Start(int promptTokens)
    {
        var message = new MessageResponse { Id = id, Model = model, Content = [], Usage = new MessageUsage { InputTokens = promptTokens, OutputTokens = 0 } };
        Emit("message_start", new MessageStartEvent { Message = message }, AnthropicJsonContext.Default.MessageStartEvent);
        Emit("ping", new TypeOnlyEvent { Type = "ping" }, AnthropicJsonContext.Default.TypeOnlyEvent);
        return Take();
    }

    /// <summary>The events for newly generated text; none while a tag or call is still being recognised.</summary>
    public List<SseEvent> Push(string text)
    {
        Feed(reasoning is null ? new ReasoningDelta("", text) : reasoning.Push(text), final: false);
        return Take();
    }

    /// <summary>Whatever was held back, the last <c>content_block_stop</c>, <c>message_delta</c> and <c>message_stop</c>.</summary>
    public List<SseEvent> Finish(GenerationStats stats)
    {
        Feed(reasoning?.Flush() ?? new ReasoningDelta("", ""), final: true);
        Close();
        var (reason, sequence) = StopReason(stats.FinishReason);
        Emit("message_delta", new MessageDeltaEvent { Delta = new MessageDelta { StopReason = reason, StopSequence = sequence }, Usage = UsageOf(stats) },
            AnthropicJsonContext.Default.MessageDeltaEvent);
        Emit("message_stop", new TypeOnlyEvent { Type = "message_stop" }, AnthropicJsonContext.Default.TypeOnlyEvent);
        return Take();
    }

    /// <summary>The whole reply as a <c>message</c> object.</summary>
    public string Whole(string text, GenerationStats stats)
    {
        Feed(reasoning is null ? new ReasoningDelta("", text) : reasoning.Push(text), final: false);
        Feed(reasoning?.Flush() ?? new ReasoningDelta("", ""), final: true);
        Close();
        var content = new List<ContentBlock>(_blocks.Count);
        foreach (var b in _blocks)
        {
            content.Add(b.Kind switch
            {
                "thinking" => ContentBlock.OfThinking(b.Body.ToString()),
                "tool_use" => ContentBlock.OfToolUse(b.Id!, b.Name!, Arguments(b.Body.ToString())),
                _ => ContentBlock.OfText(b.Body.ToString()),
            });
        }
        var (reason, sequence) = StopReason(stats.FinishReason);
        return JsonSerializer.Serialize(
            new MessageResponse { Id = id, Model = model, Content = content, StopReason = reason, StopSequence = sequence, Usage = UsageOf(stats) },
            AnthropicJsonContext.Default.MessageResponse);
    }

    /// <summary>
    /// Anthropic's stop reason for the engine's finish reason: a limit (tokens or context) is <c>max_tokens</c>, a stop
    /// string <c>stop_sequence</c> (naming it when the request gave one: the engine does not say which matched), a reply
    /// that ended on its own with tool calls <c>tool_use</c>, any other end <c>end_turn</c>.
    /// </summary>
    public (string Reason, string? Sequence) StopReason(FinishReason finish) => finish switch
    {
        FinishReason.Length or FinishReason.ContextFull => ("max_tokens", null),
        FinishReason.StopString => ("stop_sequence", stopSequences.Count == 1 ? stopSequences[0] : null),
        _ => (_calls.Count > 0 ? "tool_use" : "end_turn", null),
    };

    private static MessageUsage UsageOf(GenerationStats s) => new()
    {
        InputTokens = s.PromptTokens - s.ReusedPromptTokens,
        OutputTokens = s.GeneratedTokens,
        CacheCreationInputTokens = 0,
        CacheReadInputTokens = s.ReusedPromptTokens,
    };

    /// <summary>A call's arguments as the <c>input</c> object; a call cut off by the token limit has none that parse.</summary>
    private static JsonElement Arguments(string json)
    {
        try
        {
            var e = JsonElement.Parse(json.Length == 0 ? "{}" : json);
            return e.ValueKind == JsonValueKind.Object ? e : EmptyObject;
        }
        catch (JsonException)
        {
            return EmptyObject;
        }
    }

    private void Feed(ReasoningDelta d, bool final)
    {
        if (d.Reasoning.Length > 0) Append("thinking", d.Reasoning);
        var (content, calls) = ToolCallStep.Split(tools, d.Content, final);
        // Whitespace beside a call or after the reasoning (the line breaks around them) starts no block of its own.
        bool blank = string.IsNullOrWhiteSpace(content) && _open?.Kind != "text" && (tools != null || _blocks.Count > 0);
        if (content.Length > 0 && !blank) Append("text", content);
        foreach (var c in calls)
        {
            if (c.Name is not null)
            {
                Close();
                var block = Open("tool_use", c.Id ?? ServerState.NewId("toolu_"), c.Name);
                _calls[c.Index] = block;
            }
            if (c.Arguments.Length > 0 && _calls.TryGetValue(c.Index, out var call))
            {
                call.Body.Append(c.Arguments);
                if (stream) Delta(call.Index, new BlockDelta { Type = "input_json_delta", PartialJson = c.Arguments });
            }
        }
    }

    /// <summary>Appends text or thinking to the open block of that kind, else closes the open one and starts one.</summary>
    private void Append(string kind, string text)
    {
        var block = _open?.Kind == kind ? _open : Open(kind, null, null);
        block.Body.Append(text);
        if (stream)
        {
            Delta(block.Index, kind == "thinking"
                ? new BlockDelta { Type = "thinking_delta", Thinking = text }
                : new BlockDelta { Type = "text_delta", Text = text });
        }
    }

    private Block Open(string kind, string? callId, string? name)
    {
        Close();
        var block = new Block(kind, _blocks.Count, callId, name);
        _blocks.Add(block);
        _open = block;
        if (stream)
        {
            var start = kind switch
            {
                "thinking" => ContentBlock.OfThinking(string.Empty),
                "tool_use" => ContentBlock.OfToolUse(callId!, name!, EmptyObject),
                _ => ContentBlock.OfText(string.Empty),
            };
            Emit("content_block_start", new ContentBlockStartEvent { Index = block.Index, ContentBlock = start }, AnthropicJsonContext.Default.ContentBlockStartEvent);
        }
        return block;
    }

    private void Close()
    {
        if (_open is null) return;
        if (stream) Emit("content_block_stop", new ContentBlockStopEvent { Index = _open.Index }, AnthropicJsonContext.Default.ContentBlockStopEvent);
        _open = null;
    }

    private void Delta(int index, BlockDelta delta) =>
        Emit("content_block_delta", new ContentBlockDeltaEvent { Index = index, Delta = delta }, AnthropicJsonContext.Default.ContentBlockDeltaEvent);

    private void Emit<T>(string name, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        _events.Add(new SseEvent(name, JsonSerializer.Serialize(value, type)));

    private List<SseEvent> Take()
    {
        var list = new List<SseEvent>(_events);
        _events.Clear();
        return list;
    }

    private sealed class Block(string kind, int index, string? id, string? name)
    {
        public string Kind { get; } = kind;

        public int Index { get; } = index;

        public string? Id { get; } = id;

        public string? Name { get; } = name;

        public StringBuilder Body { get; } = new();
    }
}
