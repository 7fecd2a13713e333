using System.Text;
using System.Text.Json;

namespace Hearth.Chat.ToolCalls;

/// <summary>
/// Qwen3-Coder (also Qwen3.5): each call is an XML-style block
/// <c>&lt;tool_call&gt;\n&lt;function=NAME&gt;\n&lt;parameter=P&gt;\nVALUE\n&lt;/parameter&gt;\n…&lt;/function&gt;\n&lt;/tool_call&gt;</c>,
/// as the template instructs and renders past calls. A value is raw text; it becomes a JSON string when the tool's schema
/// types the parameter as a string (or the text is not JSON), else the JSON value it spells (numbers, booleans, objects
/// and arrays), as llama.cpp's schema-driven parser reads it. Like llama.cpp, a block whose <c>&lt;tool_call&gt;</c>
/// the model left out is accepted when it starts with <c>&lt;function=</c>. A call is reported whole once its
/// <c>&lt;/function&gt;</c> has arrived (its arguments are not JSON text that could be streamed piecewise).
/// </summary>
internal sealed class Qwen3CoderSyntax : ToolCallSyntax
{
    private const int KindToolCall = 0;
    private static readonly string[] Markers = ["<tool_call>", "<function="];
    private static readonly string[] NameEnd = [">"];
    private static readonly string[] BodyMarkers = ["</function>", "<parameter="];
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private Dictionary<string, HashSet<string>>? _stringParameters; // tool -> parameters typed string

    /// <summary>Reads which parameters of each tool are strings, from the request's tool definitions.</summary>
    public void UseSchemas(IEnumerable<ToolDefinition> tools)
    {
        _stringParameters = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var t in tools)
        {
            var strings = new HashSet<string>(StringComparer.Ordinal);
            try
            {
                using var doc = JsonDocument.Parse(t.ParametersSchema);
                if (doc.RootElement.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object)
                {
                    foreach (var p in props.EnumerateObject())
                    {
                        if (IsStringSchema(p.Value)) strings.Add(p.Name);
                    }
                }
            }
            catch (JsonException)
            {
                // An unreadable schema types nothing; values are read as JSON where they parse.
            }
            _stringParameters[t.Name] = strings;
        }
    }

    public override StartMatch FindStart(string s, int from, bool atOutputStart, bool final) => Scan.FindMarker(s, from, Markers, final);

    public override HeadResult Head(string s, int p, bool final, bool firstInSection, int markerKind)
    {
        ScanStatus r;
        if (markerKind == KindToolCall)
        {
            Scan.SkipWhitespace(s, ref p);
            if ((r = Scan.Literal(s, ref p, "<function=", final)) != ScanStatus.Ok) return HeadResult.From(r);
        }
        if ((r = Scan.Name(s, ref p, NameEnd, 128, final, out string name, out _)) != ScanStatus.Ok) return HeadResult.From(r);
        p++; // '>'
        var json = new StringBuilder("{");
        while (true)
        {
            Scan.SkipWhitespace(s, ref p);
            if (p >= s.Length) return final ? HeadResult.Fail : HeadResult.More;
            if ((r = Scan.AnyLiteral(s, ref p, BodyMarkers, final, out int which)) != ScanStatus.Ok) return HeadResult.From(r);
            if (which == 0) break; // </function>
            if ((r = Scan.Name(s, ref p, NameEnd, 128, final, out string parameter, out _)) != ScanStatus.Ok) return HeadResult.From(r);
            p++; // '>'
            if (p < s.Length && s[p] == '\n') p++;
            else if (p >= s.Length) return final ? HeadResult.Fail : HeadResult.More;
            int end = s.IndexOf("</parameter>", p, StringComparison.Ordinal);
            if (end < 0) return final ? HeadResult.Fail : HeadResult.More;
            string value = s[p..end];
            if (value.EndsWith('\n')) value = value[..^1];
            p = end + "</parameter>".Length;
            if (json.Length > 1) json.Append(", ");
            json.Append(JsonSerializer.Serialize(parameter, Relaxed)).Append(": ").Append(ValueJson(name, parameter, value));
        }
        json.Append('}');
        // The closing </tool_call> (absent when the model left out the opening one too, or cut off at the end).
        int after = p;
        Scan.SkipWhitespace(s, ref after);
        var close = Scan.Literal(s, ref after, "</tool_call>", final);
        if (close == ScanStatus.More || (after >= s.Length && !final)) return HeadResult.More;
        if (close == ScanStatus.Ok) p = after;
        return new HeadResult(HeadKind.Whole, name, p, Arguments: json.ToString());
    }

    // Calls are reported whole by Head; there is no footer to parse.
    public override FootResult Footer(string s, int p, bool final) => new(FootKind.EndSection, p);

    private string ValueJson(string tool, string parameter, string value)
    {
        bool typedString = _stringParameters != null && _stringParameters.TryGetValue(tool, out var strings) && strings.Contains(parameter);
        if (!typedString)
        {
            // Python-rendered booleans: the template writes arguments through Jinja's |string, as True / False.
            if (value == "True") return "true";
            if (value == "False") return "false";
            try
            {
                using var doc = JsonDocument.Parse(value);
                return doc.RootElement.GetRawText();
            }
            catch (JsonException)
            {
                // Not JSON: a string.
            }
        }
        return JsonSerializer.Serialize(value, Relaxed);
    }

    private static bool IsStringSchema(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object) return false;
        if (schema.TryGetProperty("type", out var type))
        {
            return type.ValueKind == JsonValueKind.String && type.GetString() == "string";
        }
        if (schema.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array)
        {
            foreach (var v in values.EnumerateArray())
            {
                if (v.ValueKind != JsonValueKind.String) return false;
            }
            return values.GetArrayLength() > 0;
        }
        return false;
    }
}
