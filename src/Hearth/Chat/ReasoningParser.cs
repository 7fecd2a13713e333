using System.Text;

namespace Hearth.Chat;

/// <summary>
/// Splits streamed model output into reasoning (<c>&lt;think&gt;…&lt;/think&gt;</c>, DeepSeek-R1 / Qwen3 style) and
/// the answer. Reasoning is recognized only when the output starts with the open tag (after whitespace), or from the
/// start when the prompt already opened it (<see cref="PromptOpensReasoning"/>: the R1 template ends its generation
/// prompt with <c>&lt;think&gt;\n</c>). Text that could be the beginning of a tag is held back until the next chunk
/// decides it; whitespace around the reasoning and right after <c>&lt;/think&gt;</c> is dropped.
/// Not thread-safe: one instance per generated reply.
/// </summary>
public sealed class ReasoningParser
{
    private enum State
    {
        Start,
        Reasoning,
        Content,
    }

    private readonly string _open;
    private readonly string _close;
    private State _state;
    private string _pending = "";
    private string _heldWhitespace = ""; // reasoning's trailing whitespace, emitted only if more reasoning follows
    private bool _reasoningStarted;
    private bool _trimContentStart;
    private readonly HarmonyChannels? _harmony;

    /// <summary>A parser for one reply; <paramref name="startsInReasoning"/> when the prompt already opened the block; the markers default to <c>&lt;think&gt;</c> / <c>&lt;/think&gt;</c>.</summary>
    public ReasoningParser(bool startsInReasoning = false, string openTag = "<think>", string closeTag = "</think>")
    {
        ArgumentException.ThrowIfNullOrEmpty(openTag);
        ArgumentException.ThrowIfNullOrEmpty(closeTag);
        _open = openTag;
        _close = closeTag;
        _state = startsInReasoning ? State.Reasoning : State.Start;
    }

    /// <summary>
    /// The reasoning tags a chat template uses: Mistral's <c>[THINK]</c>/<c>[/THINK]</c> (Ministral 3, Magistral) when it
    /// writes them, else <c>&lt;think&gt;</c>/<c>&lt;/think&gt;</c>; <paramref name="reasons"/> says whether it mentions either.
    /// </summary>
    internal static (string Open, string Close) TagsOf(string templateSource, out bool reasons)
    {
        var tags = ReasoningTags.Detect(templateSource);
        reasons = ReasoningTags.TemplateReasons(templateSource);
        return (tags.Open, tags.Close);
    }

    private ReasoningParser(HarmonyChannels harmony)
        : this()
    {
        _harmony = harmony;
    }

    /// <summary>
    /// A parser for gpt-oss's Harmony replies: the <c>analysis</c> channel is the reasoning, the <c>final</c> channel
    /// (and commentary without a recipient) the answer; a message to a tool (<c>commentary to=functions.NAME</c>) is
    /// passed on in the answer for <see cref="ToolCalls.ToolCallParser"/> with <see cref="ToolCalls.ToolCallFormat.Harmony"/>.
    /// </summary>
    public static ReasoningParser Harmony() => new(new HarmonyChannels());

    /// <summary>Whether a chat template writes the Harmony format (gpt-oss): its messages carry <c>&lt;|channel|&gt;</c> headers.</summary>
    public static bool IsHarmony(string templateSource)
    {
        ArgumentNullException.ThrowIfNull(templateSource);
        return templateSource.Contains("<|channel|>", StringComparison.Ordinal) && templateSource.Contains("<|message|>", StringComparison.Ordinal);
    }

    /// <summary>
    /// The parser for a reply to <paramref name="renderedPrompt"/> made with <paramref name="template"/>: Harmony for
    /// gpt-oss's templates, else <c>&lt;think&gt;</c> blocks (starting inside one when the prompt opened it).
    /// </summary>
    public static ReasoningParser ForTemplate(ChatTemplate template, string renderedPrompt)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (IsHarmony(template.Source)) return Harmony();
        var tags = ReasoningTags.Detect(template.Source);
        return new ReasoningParser(PromptOpensReasoning(renderedPrompt, tags.Open, tags.Close), tags);
    }

    /// <summary>True when a rendered prompt ends inside an opened reasoning block, so the reply starts as reasoning.</summary>
    public static bool PromptOpensReasoning(string renderedPrompt, string openTag = "<think>", string closeTag = "</think>")
    {
        ArgumentNullException.ThrowIfNull(renderedPrompt);
        int open = renderedPrompt.LastIndexOf(openTag, StringComparison.Ordinal);
        return open >= 0 && renderedPrompt.IndexOf(closeTag, open, StringComparison.Ordinal) < 0
               && renderedPrompt.AsSpan(open + openTag.Length).IsWhiteSpace();
    }

    /// <summary>A parser for the tags <paramref name="tags"/> (see <see cref="ReasoningTags.Detect"/>).</summary>
    public ReasoningParser(bool startsInReasoning, ReasoningTags tags)
        : this(startsInReasoning, (tags ?? throw new ArgumentNullException(nameof(tags))).Open, tags.Close)
    {
    }

    /// <summary>Splits a complete reply.</summary>
    public static ReasoningDelta Split(string text, bool startsInReasoning = false) => Split(text, startsInReasoning, ReasoningTags.Think);

    /// <summary>Splits a complete reply whose reasoning is written between <paramref name="tags"/>.</summary>
    public static ReasoningDelta Split(string text, bool startsInReasoning, ReasoningTags tags)
    {
        var p = new ReasoningParser(startsInReasoning, tags);
        var a = p.Push(text);
        var b = p.Flush();
        return new ReasoningDelta(a.Reasoning + b.Reasoning, a.Content + b.Content);
    }

    /// <summary>Feeds the next chunk of generated text; returns what can be decided now.</summary>
    public ReasoningDelta Push(string chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        if (_harmony != null) return _harmony.Push(chunk);
        _pending += chunk;
        var reasoning = new StringBuilder();
        var content = new StringBuilder();
        while (Step(reasoning, content))
        {
        }
        return new ReasoningDelta(reasoning.ToString(), content.ToString());
    }

    /// <summary>Ends the stream: text held back is released (an unclosed reasoning block stays reasoning).</summary>
    public ReasoningDelta Flush()
    {
        if (_harmony != null) return _harmony.Flush();
        var reasoning = new StringBuilder();
        switch (_state)
        {
            case State.Reasoning:
                EmitReasoning(reasoning, _pending, final: true);
                _pending = "";
                return new ReasoningDelta(reasoning.ToString(), "");
            default:
                string content = _trimContentStart ? _pending.TrimStart() : _pending;
                _pending = "";
                return new ReasoningDelta("", content);
        }
    }

    /// <summary>One state transition; false when more input is needed.</summary>
    private bool Step(StringBuilder reasoning, StringBuilder content)
    {
        switch (_state)
        {
            case State.Start:
            {
                string trimmed = _pending.TrimStart();
                if (trimmed.Length == 0) return false;
                if (trimmed.StartsWith(_open, StringComparison.Ordinal))
                {
                    _pending = trimmed[_open.Length..];
                    _state = State.Reasoning;
                    return true;
                }
                if (_open.StartsWith(trimmed, StringComparison.Ordinal)) return false; // maybe a tag, wait
                _state = State.Content;
                return true;
            }
            case State.Reasoning:
            {
                if (!_reasoningStarted)
                {
                    // A model may repeat the open tag the prompt already emitted.
                    string trimmed = _pending.TrimStart();
                    if (trimmed.StartsWith(_open, StringComparison.Ordinal)) _pending = trimmed[_open.Length..];
                    else if (trimmed.Length > 0 && _open.StartsWith(trimmed, StringComparison.Ordinal)) return false;
                }
                int idx = _pending.IndexOf(_close, StringComparison.Ordinal);
                if (idx >= 0)
                {
                    EmitReasoning(reasoning, _pending[..idx], final: true);
                    _pending = _pending[(idx + _close.Length)..];
                    _state = State.Content;
                    _trimContentStart = true;
                    return true;
                }
                int keep = PartialTagLength(_pending, _close);
                EmitReasoning(reasoning, _pending[..^keep], final: false);
                _pending = _pending[^keep..];
                return false;
            }
            default:
                if (_trimContentStart)
                {
                    _pending = _pending.TrimStart();
                    if (_pending.Length == 0) return false;
                    _trimContentStart = false;
                }
                content.Append(_pending);
                _pending = "";
                return false;
        }
    }

    private void EmitReasoning(StringBuilder sb, string text, bool final)
    {
        if (!_reasoningStarted)
        {
            text = text.TrimStart();
            if (text.Length == 0) return;
            _reasoningStarted = true;
        }
        text = _heldWhitespace + text;
        _heldWhitespace = "";
        string body = text.TrimEnd();
        if (!final) _heldWhitespace = text[body.Length..];
        sb.Append(body);
    }

    /// <summary>Length of the longest suffix of <paramref name="s"/> that is a proper prefix of <paramref name="tag"/>.</summary>
    private static int PartialTagLength(string s, string tag)
    {
        for (int n = Math.Min(s.Length, tag.Length - 1); n > 0; n--)
            if (string.CompareOrdinal(s, s.Length - n, tag, 0, n) == 0) return n;
        return 0;
    }
}
