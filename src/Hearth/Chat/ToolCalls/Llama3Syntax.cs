using System.Text;
using System.Text.Json;

namespace Hearth.Chat.ToolCalls;

/// <summary>
/// Llama 3.1 / 3.2 / 3.3: the reply is one JSON object <c>{"name": "NAME", "parameters": {...}}</c> (the templates'
/// own instruction and rendering; <c>"arguments"</c> and a leading <c>"type": "function"</c> are accepted too), or,
/// after <c>&lt;|python_tag|&gt;</c>, either such an object, a built-in tool call <c>NAME.call(key="value", ...)</c> or
/// plain Python code (a call of <c>python</c> with <c>{"code": ...}</c>). The JSON form is recognized only at the
/// start of the reply, so JSON inside an ordinary answer stays content.
/// </summary>
internal sealed class Llama3Syntax(bool pythonTag, IReadOnlyCollection<string> toolNames) : ToolCallSyntax
{
    private const string PythonTag = "<|python_tag|>";
    private const int KindJsonAtStart = 0;
    private const int KindPythonTag = 1;
    private static readonly string[] Markers = [PythonTag];
    private static readonly string[] ArgumentKeys = ["parameters", "arguments"];

    public override StartMatch FindStart(string s, int from, bool atOutputStart, bool final)
    {
        if (atOutputStart)
        {
            int p = from;
            Scan.SkipWhitespace(s, ref p);
            if (p < s.Length && s[p] == '{') return new StartMatch(p, 0, KindJsonAtStart, Partial: false);
            if (p == s.Length && !final) return new StartMatch(from, 0, -1, Partial: true);
        }
        if (!pythonTag) return StartMatch.None;
        var m = Scan.FindMarker(s, from, Markers, final);
        return m.Found && !m.Partial ? m with { Kind = KindPythonTag } : m;
    }

    public override HeadResult Head(string s, int p, bool final, bool firstInSection, int markerKind)
    {
        Scan.SkipWhitespace(s, ref p);
        if (p >= s.Length && !final) return HeadResult.More;
        if (markerKind == KindJsonAtStart || (p < s.Length && s[p] == '{'))
        {
            var r = Scan.JsonCallHead(s, ref p, final, ArgumentKeys, out string name);
            return r == ScanStatus.Ok ? new HeadResult(HeadKind.Arguments, name, p) : HeadResult.From(r);
        }
        // <|python_tag|> with a built-in call or code: only the end of the output tells where it ends.
        if (!final) return HeadResult.More;
        string body = s[p..].TrimEnd();
        if (body.Length == 0) return HeadResult.Fail;
        if (TryBuiltinCall(body, out string tool, out string args)) return new HeadResult(HeadKind.Whole, tool, s.Length, Arguments: args);
        string python = toolNames.Contains("python") || !toolNames.Contains("ipython") ? "python" : "ipython";
        return new HeadResult(HeadKind.Whole, python, s.Length, Arguments: JsonSerializer.Serialize(new Dictionary<string, string> { ["code"] = body }));
    }

    public override FootResult Footer(string s, int p, bool final)
    {
        var r = Scan.ExtraMembers(s, ref p, false);
        if (r == ScanStatus.Ok) r = Scan.Literal(s, ref p, "}", false);
        return r == ScanStatus.Ok ? new FootResult(FootKind.EndSection, p) : FootResult.From(r);
    }

    /// <summary>
    /// <c>NAME.call(k1="v1", k2="v2")</c> as the Llama 3.1 template writes built-in calls (values between double
    /// quotes, unescaped). Values without quotes (numbers, True/False) are taken as JSON where they parse.
    /// </summary>
    internal static bool TryBuiltinCall(string body, out string name, out string argumentsJson)
    {
        name = "";
        argumentsJson = "";
        int dot = body.IndexOf(".call(", StringComparison.Ordinal);
        if (dot <= 0 || !body.EndsWith(')')) return false;
        for (int i = 0; i < dot; i++)
            if (!Scan.IsNameChar(body[i])) return false;
        string inner = body[(dot + 6)..^1];
        var args = new Dictionary<string, object?>(StringComparer.Ordinal);
        int p = 0;
        while (p < inner.Length)
        {
            int eq = inner.IndexOf('=', p);
            if (eq < 0) return false;
            string key = inner[p..eq].Trim();
            if (key.Length == 0) return false;
            p = eq + 1;
            if (p < inner.Length && inner[p] == '"')
            {
                // the closing quote is the one followed by ", key=" or by the end
                int close = -1;
                for (int q = p + 1; q < inner.Length; q++)
                {
                    if (inner[q] != '"') continue;
                    if (q == inner.Length - 1 || IsNextArgument(inner, q + 1))
                    {
                        close = q;
                        break;
                    }
                }
                if (close < 0) return false;
                args[key] = inner[(p + 1)..close];
                p = close + 1;
            }
            else
            {
                int comma = inner.IndexOf(',', p);
                int end = comma < 0 ? inner.Length : comma;
                string raw = inner[p..end].Trim();
                args[key] = raw switch
                {
                    "True" or "true" => true,
                    "False" or "false" => false,
                    "None" or "null" => null,
                    _ => double.TryParse(raw, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double d) ? d : raw,
                };
                p = end;
            }
            while (p < inner.Length && (inner[p] == ',' || char.IsWhiteSpace(inner[p]))) p++;
        }
        name = body[..dot];
        argumentsJson = JsonSerializer.Serialize(args);
        return true;
    }

    private static bool IsNextArgument(string s, int p)
    {
        int q = p;
        Scan.SkipWhitespace(s, ref q);
        if (q >= s.Length || s[q] != ',') return false;
        q++;
        Scan.SkipWhitespace(s, ref q);
        var sb = new StringBuilder();
        while (q < s.Length && (char.IsAsciiLetterOrDigit(s[q]) || s[q] == '_')) sb.Append(s[q++]);
        Scan.SkipWhitespace(s, ref q);
        return sb.Length > 0 && q < s.Length && s[q] == '=';
    }
}
