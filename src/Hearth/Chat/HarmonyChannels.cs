using System.Text;

namespace Hearth.Chat;

/// <summary>
/// The Harmony reply format of gpt-oss, split into reasoning and answer: the reply is a sequence of messages, each a
/// header (<c>&lt;|channel|&gt;NAME</c>, optionally <c>to=RECIPIENT</c> and a content type) up to
/// <c>&lt;|message|&gt;</c>, then a body up to <c>&lt;|end|&gt;</c>, <c>&lt;|return|&gt;</c> or <c>&lt;|call|&gt;</c>
/// (control tokens, often not rendered) or the next <c>&lt;|start|&gt;</c> (the next message's role follows). The
/// prompt ends with <c>&lt;|start|&gt;assistant</c>, so the reply starts in a header. The <c>analysis</c> channel is
/// reasoning; <c>final</c> and recipient-less <c>commentary</c> (preambles) are the answer; a message to a recipient
/// (<c>to=functions.NAME</c>) is handed to the answer as <c>&lt;|channel|&gt;commentary to=RECIPIENT&lt;|message|&gt;BODY&lt;|call|&gt;</c>
/// for the tool-call parser (<see cref="ToolCalls.ToolCallFormat.Harmony"/>). Text that is not in Harmony form (no
/// <c>&lt;|message|&gt;</c> within a header's length) is the answer as it is. Partial markers are held back.
/// </summary>
internal sealed class HarmonyChannels
{
    private enum State
    {
        Header,
        Reasoning,
        Content,
        Call,
        Plain,
    }

    /// <summary>Longest header text accepted before deciding the reply is not Harmony.</summary>
    private const int MaxHeader = 256;

    private static readonly string[] BodyEnds = ["<|end|>", "<|return|>", "<|call|>", "<|start|>", "<|channel|>"];

    private State _state = State.Header;
    private string _pending = "";
    private bool _contentStarted;
    private bool _reasoningStarted;
    private string _heldReasoningWhitespace = "";

    public ReasoningDelta Push(string chunk)
    {
        _pending += chunk;
        var reasoning = new StringBuilder();
        var content = new StringBuilder();
        while (Step(reasoning, content, final: false))
        {
        }
        return new ReasoningDelta(reasoning.ToString(), content.ToString());
    }

    public ReasoningDelta Flush()
    {
        var reasoning = new StringBuilder();
        var content = new StringBuilder();
        while (Step(reasoning, content, final: true))
        {
        }
        return new ReasoningDelta(reasoning.ToString(), content.ToString());
    }

    private bool Step(StringBuilder reasoning, StringBuilder content, bool final)
    {
        switch (_state)
        {
            case State.Header:
            {
                int end = _pending.IndexOf("<|message|>", StringComparison.Ordinal);
                if (end < 0)
                {
                    if (!final && _pending.Length <= MaxHeader) return false;
                    // Not a Harmony header: whatever it is, it is the answer.
                    _state = State.Plain;
                    return _pending.Length > 0;
                }
                ParseHeader(_pending[..end], out string channel, out string? recipient, out string header);
                _pending = _pending[(end + "<|message|>".Length)..];
                if (recipient != null)
                {
                    _state = State.Call;
                    content.Append("<|channel|>commentary to=").Append(recipient).Append(header).Append("<|message|>");
                    _contentStarted = true;
                }
                else
                {
                    _state = channel == "analysis" ? State.Reasoning : State.Content;
                }
                return true;
            }
            case State.Plain:
                Append(content, _pending);
                _pending = "";
                return false;
            default:
            {
                int at = -1, which = -1;
                for (int i = 0; i < BodyEnds.Length; i++)
                {
                    int idx = _pending.IndexOf(BodyEnds[i], StringComparison.Ordinal);
                    if (idx >= 0 && (at < 0 || idx < at)) (at, which) = (idx, i);
                }
                string body;
                if (at >= 0)
                {
                    body = _pending[..at];
                    // <|start|> and <|channel|> begin the next header (a <|start|>'s role text is part of it).
                    _pending = BodyEnds[which] == "<|channel|>" ? _pending[at..] : _pending[(at + BodyEnds[which].Length)..];
                }
                else
                {
                    int keep = final ? 0 : PartialMarkerLength(_pending);
                    body = _pending[..^keep];
                    _pending = _pending[^keep..];
                }
                bool closed = at >= 0 || final;
                switch (_state)
                {
                    case State.Reasoning:
                        EmitReasoning(reasoning, body, closed);
                        break;
                    case State.Call:
                        content.Append(body);
                        if (closed) content.Append("<|call|>");
                        break;
                    default:
                        Append(content, body);
                        break;
                }
                if (!closed) return false;
                _state = State.Header;
                return at >= 0;
            }
        }
    }

    // Header text before <|message|>, e.g. "<|channel|>analysis", "assistant<|channel|>commentary to=functions.f <|constrain|>json"
    // or "assistant to=functions.f<|channel|>commentary json": the channel, the recipient, and the content-type part as " <|constrain|>TYPE".
    private static void ParseHeader(string text, out string channel, out string? recipient, out string contentType)
    {
        channel = "";
        recipient = null;
        contentType = "";
        // The last channel counts: gpt-oss-20b sometimes writes a stray "<|channel|>commentary" (even "to=assistant")
        // before the real one, as llama.cpp's parser allows.
        int c = text.LastIndexOf("<|channel|>", StringComparison.Ordinal);
        if (c >= 0) channel = Word(text, c + "<|channel|>".Length);
        int t = text.LastIndexOf("to=", StringComparison.Ordinal);
        if (t >= 0) recipient = Word(text, t + 3);
        if (recipient is { Length: 0 } or "assistant") recipient = null;
        int k = text.IndexOf("<|constrain|>", StringComparison.Ordinal);
        string type = k >= 0 ? Word(text, k + "<|constrain|>".Length) : "";
        if (k < 0 && recipient != null)
        {
            // The template's form: "commentary json" after the channel.
            string afterChannel = c >= 0 ? text[(c + "<|channel|>".Length + channel.Length)..].Trim() : "";
            int sp = afterChannel.LastIndexOf(' ');
            string last = sp >= 0 ? afterChannel[(sp + 1)..] : afterChannel;
            if (last.Length > 0 && !last.StartsWith("to=", StringComparison.Ordinal)) type = last;
        }
        if (type.Length > 0) contentType = " <|constrain|>" + type;
    }

    // The run of characters at i up to whitespace or a marker.
    private static string Word(string s, int i)
    {
        int j = i;
        while (j < s.Length && !char.IsWhiteSpace(s[j]) && s[j] != '<') j++;
        return s[i..j];
    }

    private void Append(StringBuilder content, string text)
    {
        if (!_contentStarted)
        {
            text = text.TrimStart();
            if (text.Length == 0) return;
            _contentStarted = true;
        }
        content.Append(text);
    }

    private void EmitReasoning(StringBuilder sb, string text, bool closed)
    {
        if (!_reasoningStarted)
        {
            text = text.TrimStart();
            if (text.Length == 0) return;
            _reasoningStarted = true;
        }
        text = _heldReasoningWhitespace + text;
        _heldReasoningWhitespace = "";
        string body = text.TrimEnd();
        // Trailing whitespace is kept only if more reasoning follows; a closed analysis message is set off from the next by a newline.
        _heldReasoningWhitespace = closed ? "\n" : text[body.Length..];
        sb.Append(body);
    }

    /// <summary>Length of the longest suffix of s that is a proper prefix of a body end marker.</summary>
    private static int PartialMarkerLength(string s)
    {
        int best = 0;
        foreach (string m in BodyEnds)
        {
            for (int n = Math.Min(s.Length, m.Length - 1); n > best; n--)
            {
                if (string.CompareOrdinal(s, s.Length - n, m, 0, n) == 0)
                {
                    best = n;
                    break;
                }
            }
        }
        return best;
    }
}
