namespace Hearth.Chat.ToolCalls;

/// <summary>
/// DeepSeek R1 (and V3): <c>&lt;｜tool▁calls▁begin｜&gt;</c> then per call
/// <c>&lt;｜tool▁call▁begin｜&gt;function&lt;｜tool▁sep｜&gt;NAME\n```json\n{...}\n```&lt;｜tool▁call▁end｜&gt;</c>, then
/// <c>&lt;｜tool▁calls▁end｜&gt;</c>. Also accepted: the V3.1 call form <c>&lt;｜tool▁call▁begin｜&gt;NAME&lt;｜tool▁sep｜&gt;{...}</c>,
/// a call without the section marker, a missing section end (the R1 template itself omits it after a single call),
/// and the ASCII spellings of the markers that distilled models are known to produce (<c>tool_calls_begin</c>, ...).
/// </summary>
internal sealed class DeepSeekR1Syntax : ToolCallSyntax
{
    // [section begin spellings..., call begin spellings...]
    private static readonly string[] Markers =
    [
        "<｜tool▁calls▁begin｜>", "<｜tool_calls_begin｜>", "<｜tool calls begin｜>", "<｜tool\\_calls\\_begin｜>",
        "<｜tool▁call▁begin｜>", "<｜tool_call_begin｜>", "<｜tool call begin｜>", "<｜tool\\_call\\_begin｜>",
    ];

    private static readonly string[] CallBegin = ["<｜tool▁call▁begin｜>", "<｜tool_call_begin｜>", "<｜tool call begin｜>", "<｜tool\\_call\\_begin｜>"];
    private static readonly string[] CallEnd = ["<｜tool▁call▁end｜>", "<｜tool_call_end｜>", "<｜tool call end｜>", "<｜tool\\_call\\_end｜>"];
    private static readonly string[] SectionEnd = ["<｜tool▁calls▁end｜>", "<｜tool_calls_end｜>", "<｜tool calls end｜>", "<｜tool\\_calls\\_end｜>"];
    private static readonly string[] Sep = ["<｜tool▁sep｜>", "<｜tool_sep｜>", "<｜tool sep｜>", "<｜tool\\_sep｜>"];
    private static readonly string[] NameEnds = ["\n", "```", "{"];
    private static readonly string[] Fence = ["```json", "```"];

    public override StartMatch FindStart(string s, int from, bool atOutputStart, bool final) => Scan.FindMarker(s, from, Markers, final);

    public override HeadResult Head(string s, int p, bool final, bool firstInSection, int markerKind)
    {
        ScanStatus r;
        if (!firstInSection || markerKind < 4)
        {
            Scan.SkipWhitespace(s, ref p);
            if ((r = Scan.AnyLiteral(s, ref p, CallBegin, final, out _)) != ScanStatus.Ok) return HeadResult.From(r);
        }
        if ((r = Scan.Name(s, ref p, Sep, 64, final, out string first, out int which)) != ScanStatus.Ok) return HeadResult.From(r);
        p += Sep[which].Length;
        Scan.SkipWhitespace(s, ref p);
        if (p >= s.Length) return final ? HeadResult.Fail : HeadResult.More;
        string name;
        if (s[p] == '{')
        {
            name = first; // V3.1: NAME<｜tool▁sep｜>{...}
        }
        else
        {
            if ((r = Scan.Name(s, ref p, NameEnds, 128, final, out name, out _)) != ScanStatus.Ok) return HeadResult.From(r);
            Scan.SkipWhitespace(s, ref p);
            if (p >= s.Length) return final ? HeadResult.Fail : HeadResult.More;
            if (s[p] == '`')
            {
                if ((r = Scan.AnyLiteral(s, ref p, Fence, final, out _)) != ScanStatus.Ok) return HeadResult.From(r);
                Scan.SkipWhitespace(s, ref p);
            }
        }
        if (p >= s.Length) return final ? HeadResult.Fail : HeadResult.More;
        return s[p] == '{' ? new HeadResult(HeadKind.Arguments, name, p) : HeadResult.Fail;
    }

    public override FootResult Footer(string s, int p, bool final)
    {
        Scan.SkipWhitespace(s, ref p);
        if (p >= s.Length) return FootResult.More;
        ScanStatus r;
        if (s[p] == '`' && (r = Scan.Literal(s, ref p, "```", false)) != ScanStatus.Ok) return FootResult.From(r);
        Scan.SkipWhitespace(s, ref p);
        if ((r = Scan.AnyLiteral(s, ref p, CallEnd, false, out _)) != ScanStatus.Ok) return FootResult.From(r);
        int afterCall = p;
        Scan.SkipWhitespace(s, ref p);
        if (p >= s.Length) return final ? new FootResult(FootKind.EndSection, afterCall) : FootResult.More;
        int q = p;
        r = Scan.AnyLiteral(s, ref q, CallBegin, final, out _);
        if (r == ScanStatus.Ok) return new FootResult(FootKind.NextCall, p);
        if (r == ScanStatus.More) return FootResult.More;
        r = Scan.AnyLiteral(s, ref q, SectionEnd, final, out _);
        if (r == ScanStatus.Ok) return new FootResult(FootKind.EndSection, q);
        if (r == ScanStatus.More) return FootResult.More;
        return new FootResult(FootKind.EndSection, afterCall); // the template leaves out the section end after one call
    }
}
