using System.Text;
using System.Text.Json;
using Hearth.Chat;
using Hearth.Chat.ToolCalls;
using Hearth.Server.Protocol.Responses;

namespace Hearth.Server.Endpoints.Responses;

/// <summary>
/// Turns generated text into a response's output items — reasoning (split off by <paramref name="reasoning"/>), the
/// message, function calls (parsed by <paramref name="tools"/>) — in the order the model wrote them, and, when
/// <paramref name="stream"/> is set, into the Responses stream events for each step, serialized as they happen
/// (<c>event: TYPE</c> / <c>data: {...}</c> frames numbered by <c>sequence_number</c>). Streamed and whole answers come
/// from this one path, so they cannot differ.
/// </summary>
internal sealed class ResponseBuilder(ResponseObject response, ReasoningParser? reasoning, ToolCallParser? tools, bool stream)
{
    private readonly List<string> _frames = [];
    private readonly StringBuilder _openText = new();
    private readonly Dictionary<int, ResponseOutputItem> _calls = [];
    private ResponseOutputItem? _open;
    private int _sequence;
    private int _reasoningTokens;

    public ResponseObject Response => response;

    /// <summary>The frames made since the last call (none unless streaming).</summary>
    public List<string> TakeFrames()
    {
        var frames = new List<string>(_frames);
        _frames.Clear();
        return frames;
    }

    /// <summary><c>response.created</c> and <c>response.in_progress</c>.</summary>
    public void Start()
    {
        Emit(new ResponseStreamEvent { Type = "response.created", SequenceNumber = _sequence, Response = response });
        Emit(new ResponseStreamEvent { Type = "response.in_progress", SequenceNumber = _sequence, Response = response });
    }

    /// <summary>One step's text.</summary>
    public void Push(string text)
    {
        var d = reasoning?.Push(text) ?? new ReasoningDelta("", text);
        if (d.Reasoning.Length > 0) _reasoningTokens++;
        Apply(d, final: false);
    }

    /// <summary>Flushes what the parsers held back, closes the last item and sets status, incomplete details and usage.</summary>
    public void Finish(GenerationStats stats)
    {
        Apply(reasoning?.Flush() ?? ReasoningDelta.Empty, final: true);
        bool cut = ServerState.FinishWord(stats.FinishReason) == "length";
        if (response.Output.Count == 0) Open(NewMessage()); // an answer always has a message, even an empty one
        Close(cut ? "incomplete" : "completed");
        response.Status = cut ? "incomplete" : "completed";
        if (cut) response.IncompleteDetails = new IncompleteDetails { Reason = "max_output_tokens" };
        response.Usage = new ResponseUsage
        {
            InputTokens = stats.PromptTokens,
            InputTokensDetails = new InputTokensDetails { CachedTokens = stats.ReusedPromptTokens },
            OutputTokens = stats.GeneratedTokens,
            OutputTokensDetails = new OutputTokensDetails { ReasoningTokens = Math.Min(_reasoningTokens, stats.GeneratedTokens) },
        };
        Emit(new ResponseStreamEvent { Type = cut ? "response.incomplete" : "response.completed", SequenceNumber = _sequence, Response = response });
    }

    /// <summary>The engine failed after the stream began: <c>response.failed</c> with the error.</summary>
    public void Fail(ApiError error)
    {
        if (_open != null) Close("incomplete");
        response.Status = "failed";
        response.Error = new ResponseErrorInfo { Code = error.Code ?? "server_error", Message = error.Message };
        Emit(new ResponseStreamEvent { Type = "response.failed", SequenceNumber = _sequence, Response = response });
    }

    /// <summary>The output as the assistant turn a later request (<c>previous_response_id</c>) continues from.</summary>
    public ChatTemplateMessage AssistantTurn()
    {
        var text = new StringBuilder();
        var thought = new StringBuilder();
        List<ChatTemplateToolCall>? calls = null;
        foreach (var item in response.Output)
        {
            switch (item.Type)
            {
                case "message":
                    foreach (var part in item.Content!) text.Append(part.Text);
                    break;
                case "reasoning":
                    foreach (var part in item.Content!) thought.Append(part.Text);
                    break;
                case "function_call":
                    (calls ??= []).Add(new ChatTemplateToolCall(item.Name!, item.Arguments ?? "{}", item.CallId));
                    break;
            }
        }
        return new ChatTemplateMessage("assistant", text.ToString())
        {
            ToolCalls = calls,
            ReasoningContent = thought.Length > 0 ? thought.ToString() : null,
        };
    }

    private void Apply(ReasoningDelta d, bool final)
    {
        if (d.Reasoning.Length > 0) Reasoning(d.Reasoning);
        var (content, calls) = ToolCallStep.Split(tools, d.Content, final);
        if (content.Length > 0) Text(content);
        foreach (var c in calls)
        {
            if (c.Name is not null) Call(c);
            if (c.Arguments.Length > 0) Arguments(c.Index, c.Arguments);
        }
    }

    private void Reasoning(string text)
    {
        if (_open?.Type != "reasoning")
        {
            Open(new ResponseOutputItem
            {
                Id = ServerState.NewId("rs_"), Type = "reasoning", Status = "in_progress", Summary = [], Content = [],
            });
        }
        _openText.Append(text);
        Emit(new ResponseStreamEvent
        {
            Type = "response.reasoning_text.delta", SequenceNumber = _sequence, ItemId = _open!.Id, OutputIndex = OpenIndex, ContentIndex = 0, Delta = text,
        });
    }

    private void Text(string text)
    {
        if (_open?.Type != "message") Open(NewMessage());
        _openText.Append(text);
        Emit(new ResponseStreamEvent
        {
            Type = "response.output_text.delta", SequenceNumber = _sequence, ItemId = _open!.Id, OutputIndex = OpenIndex, ContentIndex = 0, Delta = text, Logprobs = [],
        });
    }

    private void Call(ToolCallDelta c)
    {
        var item = new ResponseOutputItem
        {
            Id = ServerState.NewId("fc_"), Type = "function_call", Status = "in_progress",
            CallId = c.Id ?? ServerState.NewId("call_"), Name = c.Name, Arguments = "",
        };
        _calls[c.Index] = item;
        Open(item);
    }

    private void Arguments(int index, string fragment)
    {
        if (!_calls.TryGetValue(index, out var item) || item != _open) return; // a call's fragments follow its head
        _openText.Append(fragment);
        Emit(new ResponseStreamEvent { Type = "response.function_call_arguments.delta", SequenceNumber = _sequence, ItemId = item.Id, OutputIndex = OpenIndex, Delta = fragment });
    }

    private static ResponseOutputItem NewMessage() => new()
    {
        Id = ServerState.NewId("msg_"), Type = "message", Status = "in_progress", Role = "assistant", Content = [],
    };

    private int OpenIndex => response.Output.Count - 1;

    private void Open(ResponseOutputItem item)
    {
        if (_open != null) Close("completed");
        response.Output.Add(item);
        _open = item;
        _openText.Clear();
        Emit(new ResponseStreamEvent { Type = "response.output_item.added", SequenceNumber = _sequence, OutputIndex = OpenIndex, Item = item });
        if (item.Type == "message")
        {
            var part = new ResponseContentPart { Type = "output_text", Text = "", Annotations = [], Logprobs = [] };
            Emit(new ResponseStreamEvent { Type = "response.content_part.added", SequenceNumber = _sequence, ItemId = item.Id, OutputIndex = OpenIndex, ContentIndex = 0, Part = part });
        }
    }

    private void Close(string status)
    {
        var item = _open!;
        string text = _openText.ToString();
        int index = OpenIndex;
        switch (item.Type)
        {
            case "reasoning":
                item.Content!.Add(new ResponseContentPart { Type = "reasoning_text", Text = text });
                Emit(new ResponseStreamEvent { Type = "response.reasoning_text.done", SequenceNumber = _sequence, ItemId = item.Id, OutputIndex = index, ContentIndex = 0, Text = text });
                break;
            case "message":
                var part = new ResponseContentPart { Type = "output_text", Text = text, Annotations = [], Logprobs = [] };
                item.Content!.Add(part);
                Emit(new ResponseStreamEvent { Type = "response.output_text.done", SequenceNumber = _sequence, ItemId = item.Id, OutputIndex = index, ContentIndex = 0, Text = text, Logprobs = [] });
                Emit(new ResponseStreamEvent { Type = "response.content_part.done", SequenceNumber = _sequence, ItemId = item.Id, OutputIndex = index, ContentIndex = 0, Part = part });
                break;
            default:
                item.Arguments = text;
                Emit(new ResponseStreamEvent
                {
                    Type = "response.function_call_arguments.done", SequenceNumber = _sequence, ItemId = item.Id, OutputIndex = index, Arguments = text, Name = item.Name,
                });
                break;
        }
        item.Status = status;
        Emit(new ResponseStreamEvent { Type = "response.output_item.done", SequenceNumber = _sequence, OutputIndex = index, Item = item });
        _open = null;
    }

    /// <summary>Serializes the event now (later changes to the response or an item must not show in it) and counts it.</summary>
    private void Emit(ResponseStreamEvent e)
    {
        _sequence++;
        if (!stream) return;
        _frames.Add("event: " + e.Type + "\ndata: " + JsonSerializer.Serialize(e, ResponsesJsonContext.Default.ResponseStreamEvent) + "\n\n");
    }
}
