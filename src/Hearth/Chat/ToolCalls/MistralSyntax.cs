namespace Hearth.Chat.ToolCalls;

/// <summary>
/// Mistral: <c>[TOOL_CALLS]</c> followed either by a JSON array of calls
/// <c>[{"name": "NAME", "arguments": {...}, "id": "abcDEF123"}, ...]</c> (Mistral Nemo, Small 3.0/3.1), or by
/// <c>NAME[ARGS]{...}</c>, optionally <c>NAME[CALL_ID]ID[ARGS]{...}</c>, repeated with another <c>[TOOL_CALLS]</c>
/// per call (the tokenizer v11+ templates: Magistral, Devstral, Small 3.2). Both are recognized whichever the
/// template uses.
/// </summary>
internal sealed class MistralSyntax : ToolCallSyntax
{
    private static readonly string[] Markers = ["[TOOL_CALLS]"];
    private static readonly string[] ArgumentKeys = ["arguments"];
    private static readonly string[] NameEnds = ["[ARGS]", "[CALL_ID]"];
    private static readonly string[] IdEnds = ["[ARGS]"];
    private bool _array;

    public override StartMatch FindStart(string s, int from, bool atOutputStart, bool final) => Scan.FindMarker(s, from, Markers, final);

    public override HeadResult Head(string s, int p, bool final, bool firstInSection, int markerKind)
    {
        Scan.SkipWhitespace(s, ref p);
        if (p >= s.Length) return final ? HeadResult.Fail : HeadResult.More;
        ScanStatus r;
        string name;
        if (firstInSection)
        {
            _array = s[p] == '[';
            if (_array) p++;
        }
        if (_array)
        {
            Scan.SkipWhitespace(s, ref p);
            r = Scan.JsonCallHead(s, ref p, final, ArgumentKeys, out name);
            return r == ScanStatus.Ok ? new HeadResult(HeadKind.Arguments, name, p) : HeadResult.From(r);
        }
        if ((r = Scan.Name(s, ref p, NameEnds, 128, final, out name, out int which)) != ScanStatus.Ok) return HeadResult.From(r);
        string? id = null;
        p += NameEnds[which].Length;
        if (which == 1)
        {
            if ((r = Scan.Name(s, ref p, IdEnds, 64, final, out id, out _)) != ScanStatus.Ok) return HeadResult.From(r);
            p += IdEnds[0].Length;
        }
        Scan.SkipWhitespace(s, ref p);
        if (p >= s.Length) return final ? HeadResult.Fail : HeadResult.More;
        return s[p] == '{' ? new HeadResult(HeadKind.Arguments, name, p, id) : HeadResult.Fail;
    }

    public override FootResult Footer(string s, int p, bool final)
    {
        if (!_array) return new FootResult(FootKind.EndSection, p);
        var r = Scan.ExtraMembers(s, ref p, false);
        if (r == ScanStatus.Ok) r = Scan.Literal(s, ref p, "}", false);
        if (r != ScanStatus.Ok) return FootResult.From(r);
        Scan.SkipWhitespace(s, ref p);
        if (p >= s.Length) return FootResult.More;
        if (s[p] == ',') return new FootResult(FootKind.NextCall, p + 1);
        return s[p] == ']' ? new FootResult(FootKind.EndSection, p + 1) : FootResult.Fail;
    }

    public override string NewId() => ToolCallIds.Mistral();
}
