using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Hearth.Chat.ToolCalls;

/// <summary>
/// Gemma 4: each call is <c>&lt;|tool_call&gt;call:NAME{key:value,...}&lt;tool_call|&gt;</c>, in the template's own
/// argument notation rather than JSON: keys bare (or quoted as <c>&lt;|"|&gt;key&lt;|"|&gt;</c>), strings between
/// <c>&lt;|"|&gt;</c> delimiters with nothing escaped, <c>true</c>/<c>false</c>, numbers as written, nested
/// <c>{...}</c> and <c>[...]</c>; JSON (as a grammar-constrained reply writes it) is read too. A call is parsed whole once its closing brace arrives and its arguments become a JSON
/// object; the close marker may be cut off by the end of the output.
/// </summary>
internal sealed class Gemma4Syntax : ToolCallSyntax
{
    internal const string Quote = "<|\"|>";
    private static readonly string[] Markers = ["<|tool_call>"];
    private static readonly string[] NameEnds = ["{"];

    public override StartMatch FindStart(string s, int from, bool atOutputStart, bool final) => Scan.FindMarker(s, from, Markers, final);

    public override HeadResult Head(string s, int p, bool final, bool firstInSection, int markerKind)
    {
        ScanStatus r;
        if ((r = Scan.Literal(s, ref p, "call:", final)) != ScanStatus.Ok) return HeadResult.From(r);
        if ((r = Scan.Name(s, ref p, NameEnds, 128, final, out string name, out _)) != ScanStatus.Ok) return HeadResult.From(r);
        var json = new StringBuilder();
        if ((r = Value(s, ref p, final, json)) != ScanStatus.Ok) return HeadResult.From(r);
        int end = p;
        r = Scan.Literal(s, ref end, "<tool_call|>", final);
        if (r == ScanStatus.More) return HeadResult.More;
        if (r == ScanStatus.Fail && !(final && p == s.Length)) return HeadResult.Fail;
        return new HeadResult(HeadKind.Whole, name, r == ScanStatus.Ok ? end : p, Arguments: json.ToString());
    }

    // Whole calls: the parser never asks for a footer.
    public override FootResult Footer(string s, int p, bool final) => FootResult.Fail;

    /// <summary>One value in Gemma 4's notation at <paramref name="p"/>, appended to <paramref name="json"/> as JSON.</summary>
    internal static ScanStatus Value(string s, ref int p, bool final, StringBuilder json)
    {
        Scan.SkipWhitespace(s, ref p);
        if (p >= s.Length) return final ? ScanStatus.Fail : ScanStatus.More;
        char c = s[p];
        ScanStatus r;
        if (c == '{')
        {
            p++;
            json.Append('{');
            bool first = true;
            while (true)
            {
                Scan.SkipWhitespace(s, ref p);
                if (p >= s.Length) return final ? ScanStatus.Fail : ScanStatus.More;
                if (s[p] == '}')
                {
                    p++;
                    json.Append('}');
                    return ScanStatus.Ok;
                }
                if (!first)
                {
                    if ((r = Scan.Literal(s, ref p, ",", final)) != ScanStatus.Ok) return r;
                    json.Append(',');
                    Scan.SkipWhitespace(s, ref p);
                }
                first = false;
                if ((r = Key(s, ref p, final, out string key)) != ScanStatus.Ok) return r;
                Scan.SkipWhitespace(s, ref p);
                if ((r = Scan.Literal(s, ref p, ":", final)) != ScanStatus.Ok) return r;
                json.Append(JsonSerializer.Serialize(key)).Append(':');
                if ((r = Value(s, ref p, final, json)) != ScanStatus.Ok) return r;
            }
        }
        if (c == '[')
        {
            p++;
            json.Append('[');
            bool first = true;
            while (true)
            {
                Scan.SkipWhitespace(s, ref p);
                if (p >= s.Length) return final ? ScanStatus.Fail : ScanStatus.More;
                if (s[p] == ']')
                {
                    p++;
                    json.Append(']');
                    return ScanStatus.Ok;
                }
                if (!first)
                {
                    if ((r = Scan.Literal(s, ref p, ",", final)) != ScanStatus.Ok) return r;
                    json.Append(',');
                }
                first = false;
                if ((r = Value(s, ref p, final, json)) != ScanStatus.Ok) return r;
            }
        }
        if (c == '"')
        {
            if ((r = Scan.JsonString(s, ref p, final, out string text)) != ScanStatus.Ok) return r;
            json.Append(JsonSerializer.Serialize(text));
            return ScanStatus.Ok;
        }
        if (c == '<')
        {
            if ((r = QuotedString(s, ref p, final, out string text)) != ScanStatus.Ok) return r;
            json.Append(JsonSerializer.Serialize(text));
            return ScanStatus.Ok;
        }
        // A bare scalar: up to the next delimiter of the enclosing structure.
        int start = p;
        while (p < s.Length && s[p] is not (',' or '}' or ']' or '<') && !char.IsWhiteSpace(s[p])) p++;
        if (p == s.Length && !final) return ScanStatus.More;
        string atom = s[start..p].Trim();
        switch (atom)
        {
            case "true" or "True": json.Append("true"); return ScanStatus.Ok;
            case "false" or "False": json.Append("false"); return ScanStatus.Ok;
            case "null" or "None": json.Append("null"); return ScanStatus.Ok;
        }
        if (atom.Length > 0 && double.TryParse(atom, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && double.IsFinite(number))
        {
            // Keep the digits as written (an integer stays an integer).
            json.Append(long.TryParse(atom, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? atom : number.ToString("R", CultureInfo.InvariantCulture));
            return ScanStatus.Ok;
        }
        if (atom.Length == 0) return ScanStatus.Fail;
        json.Append(JsonSerializer.Serialize(atom)); // an unquoted word: taken as a string
        return ScanStatus.Ok;
    }

    private static ScanStatus Key(string s, ref int p, bool final, out string key)
    {
        key = "";
        if (p < s.Length && s[p] == '<') return QuotedString(s, ref p, final, out key);
        if (p < s.Length && s[p] == '"') return Scan.JsonString(s, ref p, final, out key);
        int start = p;
        while (p < s.Length && s[p] != ':' && s[p] is not (',' or '{' or '}' or '[' or ']' or '<')) p++;
        if (p == s.Length) return final ? ScanStatus.Fail : ScanStatus.More;
        if (s[p] != ':' || p == start) return ScanStatus.Fail;
        key = s[start..p];
        return ScanStatus.Ok;
    }

    private static ScanStatus QuotedString(string s, ref int p, bool final, out string text)
    {
        text = "";
        ScanStatus r;
        if ((r = Scan.Literal(s, ref p, Quote, final)) != ScanStatus.Ok) return r;
        int close = s.IndexOf(Quote, p, StringComparison.Ordinal);
        if (close < 0) return final ? ScanStatus.Fail : ScanStatus.More;
        text = s[p..close];
        p = close + Quote.Length;
        return ScanStatus.Ok;
    }
}
