namespace Hearth.Chat.ToolCalls;

/// <summary>
/// gpt-oss (OpenAI Harmony): a call is a message to a recipient on the commentary channel,
/// <c>&lt;|channel|&gt;commentary to=functions.NAME &lt;|constrain|&gt;json&lt;|message|&gt;{...}&lt;|call|&gt;</c>; the
/// template renders the recipient before the channel (<c>&lt;|start|&gt;assistant to=functions.NAME&lt;|channel|&gt;commentary
/// json&lt;|message|&gt;</c>), which is accepted too. <c>&lt;|call|&gt;</c> ends generation, so it is usually absent. The
/// Harmony reasoning split (<see cref="ReasoningParser.Harmony"/>) hands each call message over in the first form.
/// </summary>
internal sealed class HarmonySyntax : ToolCallSyntax
{
    private static readonly string[] Markers = ["<|channel|>commentary to=", "<|start|>assistant to="];
    private static readonly string[] NameEnds = ["<|message|>", "<|constrain|>", "<|channel|>", " "];
    private static readonly string[] TypeEnds = ["<|message|>", " "];

    public override StartMatch FindStart(string s, int from, bool atOutputStart, bool final) => Scan.FindMarker(s, from, Markers, final);

    public override HeadResult Head(string s, int p, bool final, bool firstInSection, int markerKind)
    {
        var r = Scan.Name(s, ref p, NameEnds, 128, final, out string name, out _);
        if (r != ScanStatus.Ok) return HeadResult.From(r);
        if (name.StartsWith("functions.", StringComparison.Ordinal)) name = name["functions.".Length..];
        if (name.Length == 0) return HeadResult.Fail;
        // Up to <|message|>: an optional channel (recipient-first form) and content type (" json" or "<|constrain|>json").
        for (int parts = 0; ; parts++)
        {
            Scan.SkipWhitespace(s, ref p);
            if (p >= s.Length) return final ? HeadResult.Fail : HeadResult.More;
            if (parts > 3) return HeadResult.Fail;
            int q = p;
            r = Scan.Literal(s, ref q, "<|message|>", final);
            if (r == ScanStatus.Ok)
            {
                p = q;
                break;
            }
            if (r == ScanStatus.More) return HeadResult.More;
            q = p;
            if (Scan.Literal(s, ref q, "<|constrain|>", final) is var c && c != ScanStatus.Fail)
            {
                if (c == ScanStatus.More) return HeadResult.More;
                p = q;
                continue;
            }
            q = p;
            if (Scan.Literal(s, ref q, "<|channel|>", final) is var ch && ch != ScanStatus.Fail)
            {
                if (ch == ScanStatus.More) return HeadResult.More;
                p = q;
                continue;
            }
            r = Scan.Name(s, ref p, TypeEnds, 32, final, out _, out _); // "commentary", "json"
            if (r != ScanStatus.Ok) return HeadResult.From(r);
        }
        Scan.SkipWhitespace(s, ref p);
        if (p >= s.Length) return final ? HeadResult.Fail : HeadResult.More;
        return s[p] == '{' ? new HeadResult(HeadKind.Arguments, name, p) : HeadResult.Fail;
    }

    public override FootResult Footer(string s, int p, bool final)
    {
        int afterArgs = p;
        Scan.SkipWhitespace(s, ref p);
        if (p >= s.Length) return final ? new FootResult(FootKind.EndSection, afterArgs) : FootResult.More;
        var r = Scan.Literal(s, ref p, "<|call|>", final);
        if (r == ScanStatus.More) return FootResult.More;
        return new FootResult(FootKind.EndSection, r == ScanStatus.Ok ? p : afterArgs);
    }
}
