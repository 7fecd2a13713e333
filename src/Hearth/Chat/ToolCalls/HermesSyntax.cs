namespace Hearth.Chat.ToolCalls;

/// <summary>
/// Hermes 2/3 Pro and Qwen 2.5/3: each call is <c>&lt;tool_call&gt;\n{"name": "NAME", "arguments": {...}}\n&lt;/tool_call&gt;</c>,
/// several calls are several such blocks (the templates' own instructions and renderings).
/// </summary>
internal sealed class HermesSyntax : ToolCallSyntax
{
    private static readonly string[] Markers = ["<tool_call>"];
    private static readonly string[] ArgumentKeys = ["arguments"];

    public override StartMatch FindStart(string s, int from, bool atOutputStart, bool final) => Scan.FindMarker(s, from, Markers, final);

    public override HeadResult Head(string s, int p, bool final, bool firstInSection, int markerKind)
    {
        Scan.SkipWhitespace(s, ref p);
        var r = Scan.JsonCallHead(s, ref p, final, ArgumentKeys, out string name);
        return r == ScanStatus.Ok ? new HeadResult(HeadKind.Arguments, name, p) : HeadResult.From(r);
    }

    public override FootResult Footer(string s, int p, bool final)
    {
        var r = Scan.ExtraMembers(s, ref p, false);
        if (r == ScanStatus.Ok) r = Scan.Literal(s, ref p, "}", false);
        if (r == ScanStatus.Ok)
        {
            Scan.SkipWhitespace(s, ref p);
            r = Scan.Literal(s, ref p, "</tool_call>", false);
        }
        return r == ScanStatus.Ok ? new FootResult(FootKind.EndSection, p) : FootResult.From(r);
    }
}
