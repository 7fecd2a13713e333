using System.Text;
using System.Text.Json;

namespace Hearth.Chat.ToolCalls;

/// <summary>
/// Splits a model's reply into content and tool calls, for one <see cref="ToolCallFormat"/>. Feed generated text with
/// <see cref="Push"/> as it arrives and call <see cref="Finish"/> at the end; each returns the content and tool-call
/// deltas decided so far, in the shape OpenAI streams them (a call's index, id and name first, then fragments of its
/// arguments). Text that may be the start of a tool-call marker is held back until the next piece decides it. A
/// call whose name is not among the given tools, or whose head is malformed, stays content; a call cut off inside
/// its arguments is kept with the text it has and reported in <see cref="ToolCallParseResult.Error"/>. Parsing never
/// throws on model output. Feed it the answer text (after <see cref="ReasoningParser"/> when the model reasons).
/// Not thread-safe: one instance per generated reply.
/// </summary>
public sealed class ToolCallParser
{
    private enum Mode
    {
        Content,
        Head,
        Arguments,
        Footer,
    }

    private readonly ToolCallSyntax _syntax;
    private readonly HashSet<string>? _toolNames;
    private readonly Func<string>? _newId;
    private readonly StringBuilder _content = new();
    private readonly List<(string Id, string Name, StringBuilder Arguments)> _calls = [];
    private string _buf = "";
    private int _pos;              // next unconsumed index in _buf
    private int _sectionStart;     // where the current call attempt began (released as content if it fails)
    private int _noMatchBefore;    // a failed attempt's start: no new section may start before this
    private int _markerKind;
    private bool _firstInSection;
    private bool _atOutputStart = true;
    private bool _trimContentStart;
    private string _heldWhitespace = "";
    private Mode _mode;
    private JsonObjectScanner _scanner;
    private int _argsStart;
    private bool _finished;
    private string? _error;

    // per-call output of the current step
    private readonly StringBuilder _stepContent = new();
    private readonly List<ToolCallDelta> _stepCalls = [];

    /// <param name="format">The reply's format (<see cref="ToolCallFormats.Detect(string)"/>).</param>
    /// <param name="toolNames">The functions the request offered; a call of any other name is left as content. Null or empty accepts any name.</param>
    /// <param name="idGenerator">Makes ids for calls the model did not give one; by default random <c>call_…</c> ids (9 alphanumerics for Mistral, whose templates require that).</param>
    /// <param name="allowPythonTag">Llama 3.x only: also recognize <c>&lt;|python_tag|&gt;</c> calls (built-in tools and code).</param>
    public ToolCallParser(ToolCallFormat format, IEnumerable<string>? toolNames = null, Func<string>? idGenerator = null, bool allowPythonTag = true)
    {
        Format = format;
        _toolNames = toolNames is null ? null : new HashSet<string>(toolNames, StringComparer.Ordinal);
        if (_toolNames is { Count: 0 }) _toolNames = null;
        _newId = idGenerator;
        _syntax = format switch
        {
            ToolCallFormat.Generic => new GenericToolCalls(),
            ToolCallFormat.Llama3Json => new Llama3Syntax(allowPythonTag, (IReadOnlyCollection<string>?)_toolNames ?? []),
            ToolCallFormat.Hermes => new HermesSyntax(),
            ToolCallFormat.Mistral => new MistralSyntax(),
            ToolCallFormat.DeepSeekR1 => new DeepSeekR1Syntax(),
            ToolCallFormat.Gemma4 => new Gemma4Syntax(),
            ToolCallFormat.Qwen3CoderXml => new Qwen3CoderSyntax(),
            ToolCallFormat.Harmony => new HarmonySyntax(),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, $"Unknown tool-call format; supported: {string.Join(", ", Enum.GetNames<ToolCallFormat>())}."),
        };
    }

    /// <summary>A parser for replies to a prompt rendered with <paramref name="template"/> and <paramref name="tools"/> (an OpenAI <c>tools</c> array).</summary>
    public static ToolCallParser ForTemplate(ChatTemplate template, JsonElement? tools, Func<string>? idGenerator = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        var format = ToolCallFormats.Detect(template.Source);
        var defs = tools is { } t ? ToolDefinition.ParseAll(t) : null;
        var parser = new ToolCallParser(format, defs?.Select(d => d.Name), idGenerator, ToolCallFormats.HasPythonTag(template.Source));
        // Qwen3-Coder's raw parameter values are typed by the tools' schemas (a string parameter stays a string).
        if (defs != null && parser._syntax is Qwen3CoderSyntax xml) xml.UseSchemas(defs);
        return parser;
    }

    /// <summary>Parses a complete reply.</summary>
    public static ToolCallParseResult Parse(string text, ToolCallFormat format, IEnumerable<string>? toolNames = null, Func<string>? idGenerator = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var p = new ToolCallParser(format, toolNames, idGenerator);
        p.Push(text);
        p.Finish();
        return p.Result;
    }

    /// <summary>The format replies are parsed in.</summary>
    public ToolCallFormat Format { get; }

    /// <summary>Everything decided so far (complete after <see cref="Finish"/>).</summary>
    public ToolCallParseResult Result
    {
        get
        {
            var calls = new List<ChatTemplateToolCall>(_calls.Count);
            foreach (var (id, name, args) in _calls) calls.Add(new ChatTemplateToolCall(name, args.ToString(), id));
            return new ToolCallParseResult(_content.ToString(), calls, _error);
        }
    }

    /// <summary>Feeds the next piece of generated text.</summary>
    public ToolCallUpdate Push(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_finished) throw new InvalidOperationException("Push after Finish: create a new ToolCallParser for each reply.");
        Compact();
        _buf += text;
        Run(final: false);
        return TakeStep();
    }

    /// <summary>Ends the reply: held-back text is decided (an unfinished marker or call head becomes content).</summary>
    public ToolCallUpdate Finish()
    {
        if (_finished) return ToolCallUpdate.Empty;
        _finished = true;
        Run(final: true);
        if (_heldWhitespace.Length > 0) EmitContent(_heldWhitespace, holdTrailingWhitespace: false);
        return TakeStep();
    }

    private void Run(bool final)
    {
        while (true)
        {
            switch (_mode)
            {
                case Mode.Content:
                    if (!StepContent(final)) return;
                    break;
                case Mode.Head:
                    if (!StepHead(final)) return;
                    break;
                case Mode.Arguments:
                    if (!StepArguments(final)) return;
                    break;
                default:
                    if (!StepFooter(final)) return;
                    break;
            }
        }
    }

    private bool StepContent(bool final)
    {
        if (_trimContentStart)
        {
            while (_pos < _buf.Length && char.IsWhiteSpace(_buf[_pos])) _pos++;
            if (_pos == _buf.Length) return false;
            _trimContentStart = false;
        }
        int from = Math.Max(_pos, _noMatchBefore);
        var m = _syntax.FindStart(_buf, from, _atOutputStart && from == _pos, final);
        if (!m.Found)
        {
            EmitContent(_buf[_pos..], holdTrailingWhitespace: !final);
            _pos = _buf.Length;
            return false;
        }
        EmitContent(_buf[_pos..m.Index], holdTrailingWhitespace: true);
        _pos = m.Index;
        if (m.Partial) return false;
        _sectionStart = m.Index;
        _markerKind = m.Kind;
        _pos = m.Index + m.Length;
        _firstInSection = true;
        _mode = Mode.Head;
        return true;
    }

    private bool StepHead(bool final)
    {
        if (_syntax is GenericToolCalls)
        {
            if (!final) return false;
            if (!GenericToolCalls.TryParse(_buf[_sectionStart..], out var calls, out string? response) || !calls.TrueForAll(c => IsKnown(c.Name)))
                return Release();
            _heldWhitespace = "";
            if (response is not null) EmitContent(response, holdTrailingWhitespace: false);
            foreach (var (name, args, id) in calls)
            {
                Commit(name, id);
                EmitArguments(args);
            }
            _pos = _buf.Length;
            _mode = Mode.Content;
            return false;
        }
        var h = _syntax.Head(_buf, _pos, final, _firstInSection, _markerKind);
        switch (h.Kind)
        {
            case HeadKind.More when !final:
                return false;
            case HeadKind.Arguments when IsKnown(h.Name):
                Commit(h.Name, h.Id);
                _pos = h.Position;
                _argsStart = h.Position;
                _scanner = default;
                _mode = Mode.Arguments;
                return true;
            case HeadKind.Whole when IsKnown(h.Name):
                Commit(h.Name, h.Id);
                EmitArguments(h.Arguments ?? "{}");
                _pos = h.Position;
                _mode = Mode.Content;
                _trimContentStart = true;
                return true;
            default:
                return Release();
        }
    }

    private bool StepArguments(bool final)
    {
        int end = _scanner.Feed(_buf, _argsStart);
        int stop = end < 0 ? _buf.Length : end;
        EmitArguments(_buf[_pos..stop]);
        _pos = stop;
        if (end < 0)
        {
            if (final) _error ??= $"The call of '{_calls[^1].Name}' was cut off before its arguments were complete.";
            return false;
        }
        if (!IsJsonObject(_calls[^1].Arguments.ToString()))
            _error ??= $"The arguments of the call of '{_calls[^1].Name}' are not a valid JSON object.";
        _mode = Mode.Footer;
        return true;
    }

    private bool StepFooter(bool final)
    {
        var f = _syntax.Footer(_buf, _pos, final);
        switch (f.Kind)
        {
            case FootKind.More when !final:
                return false;
            case FootKind.More:
                _pos = _buf.Length; // a close marker cut off by the end of the output
                _mode = Mode.Content;
                return false;
            case FootKind.NextCall:
                _pos = f.Position;
                _sectionStart = f.Position;
                _firstInSection = false;
                _mode = Mode.Head;
                return true;
            case FootKind.EndSection:
                _pos = f.Position;
                _mode = Mode.Content;
                _trimContentStart = true;
                return true;
            default:
                _error ??= $"Unexpected text after the arguments of the call of '{_calls[^1].Name}'.";
                _mode = Mode.Content;
                return true;
        }
    }

    /// <summary>The attempt was not a call: its text is content, and no section may start at the same place again.</summary>
    private bool Release()
    {
        _pos = _sectionStart;
        _noMatchBefore = _sectionStart + 1;
        _atOutputStart = false;
        _mode = Mode.Content;
        return true;
    }

    private bool IsKnown(string name) => _toolNames is null || _toolNames.Contains(name);

    private void Commit(string name, string? id)
    {
        _heldWhitespace = ""; // whitespace between content and a call is not content
        _atOutputStart = false;
        id ??= _newId?.Invoke() ?? _syntax.NewId();
        _calls.Add((id, name, new StringBuilder()));
        _stepCalls.Add(new ToolCallDelta(_calls.Count - 1, id, name, ""));
    }

    private void EmitArguments(string fragment)
    {
        if (fragment.Length == 0) return;
        int index = _calls.Count - 1;
        _calls[index].Arguments.Append(fragment);
        if (_stepCalls.Count > 0 && _stepCalls[^1].Index == index)
            _stepCalls[^1] = _stepCalls[^1] with { Arguments = _stepCalls[^1].Arguments + fragment };
        else
            _stepCalls.Add(new ToolCallDelta(index, null, null, fragment));
    }

    /// <summary>Emits content; trailing whitespace may be held back, because whitespace right before a call is dropped.</summary>
    private void EmitContent(string text, bool holdTrailingWhitespace)
    {
        if (text.Length == 0) return;
        int keep = text.Length;
        if (holdTrailingWhitespace)
            while (keep > 0 && char.IsWhiteSpace(text[keep - 1])) keep--;
        if (keep == 0)
        {
            _heldWhitespace += text;
            return;
        }
        _atOutputStart = false;
        _stepContent.Append(_heldWhitespace).Append(text, 0, keep);
        _content.Append(_heldWhitespace).Append(text, 0, keep);
        _heldWhitespace = text[keep..];
    }

    private ToolCallUpdate TakeStep()
    {
        if (_stepContent.Length == 0 && _stepCalls.Count == 0) return ToolCallUpdate.Empty;
        var u = new ToolCallUpdate(_stepContent.ToString(), _stepCalls.ToArray());
        _stepContent.Clear();
        _stepCalls.Clear();
        return u;
    }

    /// <summary>Drops consumed text so the buffer holds only what is still undecided.</summary>
    private void Compact()
    {
        int cut = _mode == Mode.Head ? Math.Min(_sectionStart, _pos) : _pos;
        if (cut <= 0) return;
        _buf = _buf[cut..];
        _pos -= cut;
        _sectionStart = Math.Max(0, _sectionStart - cut);
        _noMatchBefore = Math.Max(0, _noMatchBefore - cut);
        _argsStart = Math.Max(0, _argsStart - cut);
        _scanner.Shift(cut);
    }

    private static bool IsJsonObject(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
