using System.Text.Json;

namespace Hearth.Chat.ToolCalls;

/// <summary>
/// <see cref="ToolCallFormat.Generic"/>: the reply is a single JSON object naming calls or a response. It is only
/// decided once the reply is complete, so a reply starting with <c>{</c> is held back until then.
/// </summary>
internal sealed class GenericToolCalls : ToolCallSyntax
{
    public override StartMatch FindStart(string s, int from, bool atOutputStart, bool final)
    {
        if (!atOutputStart) return StartMatch.None;
        int p = from;
        Scan.SkipWhitespace(s, ref p);
        if (p < s.Length && s[p] == '{') return new StartMatch(p, 0, 0, Partial: false);
        return p == s.Length && !final ? new StartMatch(from, 0, -1, Partial: true) : StartMatch.None;
    }

    public override HeadResult Head(string s, int p, bool final, bool firstInSection, int markerKind) =>
        final ? HeadResult.Fail : HeadResult.More; // the parser calls Parse instead once the output is complete

    public override FootResult Footer(string s, int p, bool final) => new(FootKind.EndSection, p);

    /// <summary>Reads the whole reply; false when it is not one of the generic shapes (then it is content).</summary>
    public static bool TryParse(string json, out List<(string Name, string Arguments, string? Id)> calls, out string? response)
    {
        calls = [];
        response = null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return false;
            if (root.TryGetProperty("tool_calls", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var c in list.EnumerateArray())
                    if (!TryCall(c, calls)) return false;
                return calls.Count > 0;
            }
            if (root.TryGetProperty("tool_call", out var one)) return TryCall(one, calls);
            if (root.TryGetProperty("response", out var r))
            {
                response = r.ValueKind == JsonValueKind.String ? r.GetString() : r.GetRawText();
                return true;
            }
            return false;
        }
        catch (JsonException)
        {
            return TryCompleteCallsOfCutOffList(json, calls);
        }
    }

    /// <summary>
    /// A reply cut off (by the token limit) inside <c>{"tool_calls": [ ... </c>: the calls whose objects are complete
    /// are still calls; the unfinished last one is dropped.
    /// </summary>
    private static bool TryCompleteCallsOfCutOffList(string json, List<(string Name, string Arguments, string? Id)> calls)
    {
        calls.Clear();
        int p = 0;
        Scan.SkipWhitespace(json, ref p);
        if (!Expect(json, ref p, '{')) return false;
        Scan.SkipWhitespace(json, ref p);
        const string Key = "\"tool_calls\"";
        if (string.CompareOrdinal(json, p, Key, 0, Key.Length) != 0) return false;
        p += Key.Length;
        Scan.SkipWhitespace(json, ref p);
        if (!Expect(json, ref p, ':')) return false;
        Scan.SkipWhitespace(json, ref p);
        if (!Expect(json, ref p, '[')) return false;
        while (true)
        {
            Scan.SkipWhitespace(json, ref p);
            if (p < json.Length && json[p] == ',')
            {
                p++;
                Scan.SkipWhitespace(json, ref p);
            }
            if (p >= json.Length || json[p] != '{') break;
            int end = ObjectEnd(json, p);
            if (end < 0) break; // the unfinished last call
            try
            {
                using var doc = JsonDocument.Parse(json.AsMemory(p, end - p));
                if (!TryCall(doc.RootElement, calls)) return false;
            }
            catch (JsonException)
            {
                return false;
            }
            p = end;
        }
        return calls.Count > 0;
    }

    private static bool Expect(string s, ref int p, char c)
    {
        if (p >= s.Length || s[p] != c) return false;
        p++;
        return true;
    }

    /// <summary>The index after the object starting at <paramref name="start"/>, or -1 when the text ends inside it.</summary>
    private static int ObjectEnd(string s, int start)
    {
        int depth = 0;
        bool inString = false;
        for (int i = start; i < s.Length; i++)
        {
            char c = s[i];
            if (inString)
            {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
                continue;
            }
            if (c == '"') inString = true;
            else if (c is '{' or '[') depth++;
            else if (c is '}' or ']' && --depth == 0) return i + 1;
        }
        return -1;
    }

    private static bool TryCall(JsonElement c, List<(string, string, string?)> calls)
    {
        if (c.ValueKind != JsonValueKind.Object) return false;
        if (c.TryGetProperty("function", out var fn) && fn.ValueKind == JsonValueKind.Object) c = fn; // OpenAI's own shape
        if (!c.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(name.GetString())) return false;
        string args = "{}";
        if (c.TryGetProperty("arguments", out var a) || c.TryGetProperty("parameters", out a))
        {
            if (a.ValueKind == JsonValueKind.Object) args = a.GetRawText();
            else if (a.ValueKind == JsonValueKind.String) args = a.GetString()!; // arguments written as a JSON string
            else return false;
        }
        string? id = null;
        if (c.TryGetProperty("id", out var idEl) && idEl.ValueKind == JsonValueKind.String) id = idEl.GetString();
        calls.Add((name.GetString()!, args, id));
        return true;
    }
}
