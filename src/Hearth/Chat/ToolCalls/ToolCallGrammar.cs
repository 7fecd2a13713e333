using System.Text;
using System.Text.Json;
using Hearth.Sampling;

namespace Hearth.Chat.ToolCalls;

/// <summary>
/// Grammars that force a reply to be tool calls, for <c>tool_choice: "required"</c> or a named function: the reply
/// is one call (or, with <c>parallel</c>, one up to <c>maxCalls</c>) of the allowed functions in the model's own format, with
/// arguments valid for each function's <c>parameters</c> schema (compiled as <see cref="Grammar.FromJsonSchema"/>
/// does). The text is what the format's templates render, so the model is steered into the syntax it was trained on.
/// For <see cref="ToolCallFormat.DeepSeekR1"/> the grammar starts at the calls: use it once any reasoning is closed.
/// For <see cref="ToolCallFormat.Harmony"/> it is one call message (the reply right after the prompt's <c>&lt;|start|&gt;assistant</c>).
/// </summary>
public static class ToolCallGrammar
{
    /// <summary>
    /// The most calls a parallel reply may hold unless told otherwise. Without a bound the list could grow until the
    /// token limit cuts it; llama.cpp's servers bound it by the request's token budget only, so this is a generous cap.
    /// </summary>
    public const int DefaultMaxCalls = 8;

    /// <summary>The grammar for <paramref name="template"/>'s format (Mistral: the <c>[ARGS]</c> form if the template writes it).</summary>
    /// <exception cref="ArgumentException">The tools are invalid, or <paramref name="functionName"/> is not among them.</exception>
    /// <exception cref="Sampling.GrammarFormatException">A function's parameters schema cannot be compiled.</exception>
    public static Grammar ForTemplate(ChatTemplate template, JsonElement tools, string? functionName = null, bool parallel = false, int maxCalls = DefaultMaxCalls)
    {
        ArgumentNullException.ThrowIfNull(template);
        return Grammar.Parse(BuildGbnf(ToolCallFormats.Detect(template.Source), tools, functionName, parallel,
            mistralArgs: template.Source.Contains("[ARGS]", StringComparison.Ordinal), maxCalls: maxCalls));
    }

    /// <summary>The grammar for <paramref name="format"/> (Mistral: the JSON array form).</summary>
    /// <exception cref="ArgumentException">The tools are invalid, or <paramref name="functionName"/> is not among them.</exception>
    public static Grammar Build(ToolCallFormat format, JsonElement tools, string? functionName = null, bool parallel = false, int maxCalls = DefaultMaxCalls) =>
        Grammar.Parse(BuildGbnf(format, tools, functionName, parallel, maxCalls: maxCalls));

    /// <summary>
    /// The GBNF text. <paramref name="tools"/> is an OpenAI <c>tools</c> array; <paramref name="functionName"/>
    /// restricts it to that function (OpenAI's <c>tool_choice: {"type": "function", "function": {"name": ...}}</c>);
    /// with <paramref name="parallel"/> a reply holds one to <paramref name="maxCalls"/> calls.
    /// </summary>
    /// <exception cref="ArgumentException">The tools are invalid, or <paramref name="functionName"/> is not among them.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxCalls"/> is under 1.</exception>
    public static string BuildGbnf(ToolCallFormat format, JsonElement tools, string? functionName = null, bool parallel = false, bool mistralArgs = false, int maxCalls = DefaultMaxCalls)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCalls, 1);
        if (maxCalls == 1) parallel = false;
        string more = "{0," + (maxCalls - 1).ToString(System.Globalization.CultureInfo.InvariantCulture) + "}"; // the calls after the first
        var defs = ToolDefinition.ParseAll(tools);
        if (functionName is not null)
        {
            defs = defs.FindAll(d => d.Name == functionName);
            if (defs.Count == 0)
                throw new ArgumentException($"tool_choice names '{functionName}', which is not among the tools ({string.Join(", ", ToolDefinition.ParseAll(tools).Select(d => d.Name))}).", nameof(functionName));
        }
        if (defs.Count == 0) throw new ArgumentException("No tools to call: 'tools' is empty.", nameof(tools));
        if (format == ToolCallFormat.Llama3Json) parallel = false; // the Llama 3.x templates accept one call per message

        var sb = new StringBuilder();
        var callRules = new List<string>();
        for (int i = 0; i < defs.Count; i++)
        {
            string prefix = $"f{i}-";
            string argsRule = AppendSchemaRules(sb, defs[i].ParametersSchema, prefix);
            string name = defs[i].Name;
            string jsonHead = "{\"name\": " + JsonSerializer.Serialize(name) + ", ";
            string body = format switch
            {
                ToolCallFormat.Hermes => $"{Lit("<tool_call>\n" + jsonHead + "\"arguments\": ")} {argsRule} {Lit("}\n</tool_call>")}",
                ToolCallFormat.Llama3Json => $"{Lit(jsonHead + "\"parameters\": ")} {argsRule} {Lit("}")}",
                ToolCallFormat.Mistral when mistralArgs => $"{Lit("[TOOL_CALLS]" + name + "[ARGS]")} {argsRule}",
                ToolCallFormat.DeepSeekR1 => $"{Lit("<｜tool▁call▁begin｜>function<｜tool▁sep｜>" + name + "\n```json\n")} {argsRule} {Lit("\n```<｜tool▁call▁end｜>")}",
                // Gemma 4 writes its own argument notation; JSON arguments in the same frame parse the same way.
                ToolCallFormat.Gemma4 => $"{Lit("<|tool_call>call:" + name)} {argsRule} {Lit("<tool_call|>")}",
                ToolCallFormat.Qwen3CoderXml => $"{Lit("<tool_call>\n<function=" + name + ">\n")} {XmlParameters(sb, defs[i].ParametersSchema, prefix)}{Lit("</function>\n</tool_call>")}",
                ToolCallFormat.Harmony => $"{Lit("<|channel|>commentary to=functions." + name + " <|constrain|>json<|message|>")} {argsRule}",
                _ => $"{Lit(jsonHead + "\"arguments\": ")} {argsRule} {Lit("}")}", // Generic, Mistral JSON array
            };
            sb.Append($"call-{i} ::= {body}\n");
            callRules.Add($"call-{i}");
        }
        string call = "( " + string.Join(" | ", callRules) + " )";
        sb.Insert(0, $"call ::= {call}\n");
        string root = format switch
        {
            ToolCallFormat.Hermes => parallel ? "call ( \"\\n\" call )" + more : "call",
            ToolCallFormat.Qwen3CoderXml => parallel ? "call ( \"\\n\" call )" + more : "call",
            ToolCallFormat.Llama3Json => "call",
            ToolCallFormat.Mistral when mistralArgs => parallel ? "call ( call )" + more : "call",
            ToolCallFormat.Mistral => $"{Lit("[TOOL_CALLS][")} call {(parallel ? "( \", \" call )" + more + " " : "")}{Lit("]")}",
            ToolCallFormat.Harmony => "call",
            ToolCallFormat.DeepSeekR1 => $"{Lit("<｜tool▁calls▁begin｜>")} call {(parallel ? "( \"\\n\" call )" + more + " " : "")}{Lit("<｜tool▁calls▁end｜>")}",
            ToolCallFormat.Gemma4 => parallel ? "call ( call )" + more : "call",
            _ => $"{Lit("{\"tool_calls\": [")} call {(parallel ? "( \", \" call )" + more + " " : "")}{Lit("]}")}",
        };
        sb.Insert(0, $"root ::= {root}\n");
        return sb.ToString();
    }

    /// <summary>
    /// Qwen3-Coder's parameters, in the schema's order (required ones always, others optionally):
    /// <c>&lt;parameter=P&gt;\nVALUE\n&lt;/parameter&gt;\n</c>, a string-typed VALUE as raw text (no <c>&lt;/</c>), any
    /// other as JSON valid for its schema. Returns the sequence's rule text (with a trailing space when not empty).
    /// </summary>
    private static string XmlParameters(StringBuilder sb, string schema, string prefix)
    {
        using var doc = JsonDocument.Parse(schema);
        if (!doc.RootElement.TryGetProperty("properties", out var props) || props.ValueKind != JsonValueKind.Object) return "";
        var required = new HashSet<string>(StringComparer.Ordinal);
        if (doc.RootElement.TryGetProperty("required", out var req) && req.ValueKind == JsonValueKind.Array)
        {
            foreach (var r in req.EnumerateArray())
            {
                if (r.ValueKind == JsonValueKind.String) required.Add(r.GetString()!);
            }
        }
        var seq = new StringBuilder();
        int j = 0;
        foreach (var p in props.EnumerateObject())
        {
            bool isString = p.Value.ValueKind == JsonValueKind.Object && p.Value.TryGetProperty("type", out var t)
                && t.ValueKind == JsonValueKind.String && t.GetString() == "string" && !p.Value.TryGetProperty("enum", out _);
            string value;
            if (isString)
            {
                value = prefix + "xml-text";
                if (!sb.ToString().Contains(value + " ::=", StringComparison.Ordinal)) sb.Append(value).Append(" ::= ( [^<] | \"<\" [^/] )*\n");
            }
            else
            {
                value = AppendSchemaRules(sb, p.Value.GetRawText(), $"{prefix}p{j}-");
            }
            string item = $"{Lit("<parameter=" + p.Name + ">\n")} {value} {Lit("\n</parameter>\n")}";
            seq.Append(required.Contains(p.Name) ? item : $"( {item} )?").Append(' ');
            j++;
        }
        return seq.ToString();
    }

    /// <summary>Appends the schema's rules with every rule name prefixed (so several schemas live in one grammar); returns the renamed root.</summary>
    private static string AppendSchemaRules(StringBuilder sb, string schema, string prefix)
    {
        string gbnf;
        try
        {
            gbnf = JsonSchemaToGbnf.Convert(schema);
        }
        catch (GrammarFormatException e)
        {
            throw new ArgumentException($"A tool's parameters schema cannot be used for constrained decoding: {e.Message}", nameof(schema), e);
        }
        var rules = new List<(string Name, string Body)>();
        foreach (string line in gbnf.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int sep = line.IndexOf(" ::= ", StringComparison.Ordinal);
            rules.Add((line[..sep], line[(sep + 5)..]));
        }
        var names = new HashSet<string>(rules.Select(r => r.Name), StringComparer.Ordinal);
        foreach (var (name, body) in rules) sb.Append(prefix).Append(name).Append(" ::= ").Append(RenameRules(body, names, prefix)).Append('\n');
        return prefix + "root";
    }

    /// <summary>Prefixes references to <paramref name="names"/> in a GBNF rule body, leaving literals, character classes and repetition counts alone.</summary>
    internal static string RenameRules(string body, HashSet<string> names, string prefix)
    {
        var sb = new StringBuilder(body.Length + 16);
        for (int i = 0; i < body.Length;)
        {
            char c = body[i];
            if (c is '"' or '[' or '{')
            {
                char close = c == '"' ? '"' : c == '[' ? ']' : '}';
                int j = i + 1;
                while (j < body.Length && body[j] != close) j += body[j] == '\\' ? 2 : 1;
                j = Math.Min(j + 1, body.Length);
                sb.Append(body, i, j - i);
                i = j;
            }
            else if (char.IsAsciiLetter(c))
            {
                int j = i;
                while (j < body.Length && (char.IsAsciiLetterOrDigit(body[j]) || body[j] is '-' or '_')) j++;
                string word = body[i..j];
                if (names.Contains(word)) sb.Append(prefix);
                sb.Append(word);
                i = j;
            }
            else
            {
                sb.Append(c);
                i++;
            }
        }
        return sb.ToString();
    }

    /// <summary>A GBNF string literal.</summary>
    private static string Lit(string text)
    {
        var sb = new StringBuilder(text.Length + 2).Append('"');
        foreach (char c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.Append('"').ToString();
    }
}
