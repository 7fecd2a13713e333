using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace Hearth.Sampling;

/// <summary>
/// Compiles a JSON Schema to GBNF, in the spirit of llama.cpp's <c>json_schema_to_grammar</c>. Supported: type
/// (incl. lists), object (properties, required, additionalProperties), array (items, minItems, maxItems), string
/// (enum, const, minLength, maxLength, format date-time/date/time/uuid, pattern: see <see cref="RegexToGbnf"/>), integer (minimum, maximum, exclusive bounds,
/// exact, any size), number (bounds: see <see cref="NumberRule"/>), boolean, null, enum, const, anyOf, oneOf, $ref
/// into $defs/definitions. Keywords that would change which values are valid but are not supported are errors.
/// <para>
/// <c>oneOf</c> compiles to "any branch", which is exact whenever no value can match two branches:
/// <see cref="OneOfExclusivity"/> lists the cases recognised as such (disjoint types, disjoint const/enum values, objects
/// told apart by a required discriminator property with const/enum values, or by a required property the other
/// branch forbids). When every branch is const/enum, values in more than one branch are dropped, so that case is exact
/// too. In any other case (e.g. <c>integer</c> beside <c>number</c>, overlapping objects) every output matches at
/// least one branch but may match several, as llama.cpp's converter also allows; <see cref="OneOfIsExact"/> tells
/// which applies.
/// </para>
/// Properties are generated in schema order, required ones first, as llama.cpp does.
/// </summary>
internal sealed class JsonSchemaToGbnf
{
    private static readonly string[] Unsupported =
        ["allOf", "not", "if", "prefixItems", "patternProperties", "minProperties", "maxProperties", "multipleOf", "contains", "dependentRequired", "dependentSchemas", "propertyNames", "unevaluatedProperties", "unevaluatedItems"];

    private readonly JsonElement _root;
    private readonly Dictionary<string, string> _rules = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private readonly Dictionary<string, string> _refRules = new(StringComparer.Ordinal);

    private JsonSchemaToGbnf(JsonElement root) => _root = root;

    public static string Convert(string schemaJson)
    {
        ArgumentNullException.ThrowIfNull(schemaJson);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(schemaJson);
        }
        catch (JsonException e)
        {
            throw new GrammarFormatException($"The JSON schema is not valid JSON: {e.Message}", e);
        }
        using (doc)
        {
            var c = new JsonSchemaToGbnf(doc.RootElement);
            string root = c.Visit(doc.RootElement, "root", "#");
            c.Add("root", root == "root" ? c._rules["root"] : root);
            var sb = new StringBuilder();
            sb.Append("root ::= ").Append(c._rules["root"]).Append('\n');
            foreach (var name in c._order)
                if (name != "root") sb.Append(name).Append(" ::= ").Append(c._rules[name]).Append('\n');
            return sb.ToString();
        }
    }

    private void Add(string name, string body)
    {
        if (!_rules.ContainsKey(name)) _order.Add(name);
        _rules[name] = body;
    }

    private string Unique(string hint)
    {
        var sb = new StringBuilder();
        foreach (char ch in hint) sb.Append(char.IsAsciiLetterOrDigit(ch) ? ch : '-');
        string name = sb.Length == 0 ? "r" : sb.ToString();
        if (!_rules.ContainsKey(name) && name != "root") return name;
        for (int i = 1; ; i++)
            if (!_rules.ContainsKey($"{name}-{i}")) return $"{name}-{i}";
    }

    /// <summary>Returns a GBNF expression (usually a rule name) matching the schema's values, each followed by <c>space</c>.</summary>
    private string Visit(JsonElement s, string hint, string path)
    {
        if (s.ValueKind == JsonValueKind.True) return Primitive("value");
        if (s.ValueKind == JsonValueKind.False) throw new GrammarFormatException($"Schema at {path} is 'false': no value can match it.");
        if (s.ValueKind != JsonValueKind.Object) throw new GrammarFormatException($"Schema at {path} must be an object or a boolean, found {s.ValueKind}.");

        foreach (var k in Unsupported)
            if (s.TryGetProperty(k, out _)) throw new GrammarFormatException($"JSON schema keyword '{k}' (at {path}) is not supported for constrained decoding.");

        if (s.TryGetProperty("$ref", out var r)) return Ref(r.GetString() ?? "", path);
        if (s.TryGetProperty("const", out var cst)) return Literal(cst);
        if (s.TryGetProperty("enum", out var en))
        {
            if (en.ValueKind != JsonValueKind.Array || en.GetArrayLength() == 0) throw new GrammarFormatException($"'enum' at {path} must be a non-empty array.");
            return Define(hint, string.Join(" | ", en.EnumerateArray().Select(Literal)));
        }
        foreach (var key in new[] { "anyOf", "oneOf" })
        {
            if (!s.TryGetProperty(key, out var alts)) continue;
            if (alts.ValueKind != JsonValueKind.Array || alts.GetArrayLength() == 0) throw new GrammarFormatException($"'{key}' at {path} must be a non-empty array.");
            if (key == "oneOf" && OnlyInOneBranch(alts, path) is { } exclusiveLiterals) return Define(hint, exclusiveLiterals);
            var parts = alts.EnumerateArray().Select((a, i) => Visit(a, $"{hint}-{i}", $"{path}/{key}/{i}")).ToList();
            return Define(hint, string.Join(" | ", parts));
        }

        if (s.TryGetProperty("type", out var type))
        {
            if (type.ValueKind == JsonValueKind.Array)
            {
                var parts = type.EnumerateArray().Select(t => Typed(s, t.GetString() ?? "", $"{hint}-{t.GetString()}", path)).ToList();
                return Define(hint, string.Join(" | ", parts));
            }
            return Typed(s, type.GetString() ?? "", hint, path);
        }
        if (s.TryGetProperty("properties", out _) || s.TryGetProperty("additionalProperties", out _)) return Typed(s, "object", hint, path);
        if (s.TryGetProperty("items", out _)) return Typed(s, "array", hint, path);
        return Primitive("value");
    }

    private string Typed(JsonElement s, string type, string hint, string path) => type switch
    {
        "object" => ObjectRule(s, hint, path),
        "array" => ArrayRule(s, hint, path),
        "string" => StringRule(s, hint, path),
        "integer" => IntegerRule(s, hint, path),
        "number" => NumberRule(s, hint, path),
        "boolean" => Primitive("boolean"),
        "null" => Primitive("null"),
        _ => throw new GrammarFormatException($"Unknown JSON schema type '{type}' at {path}."),
    };

    private string Define(string hint, string body)
    {
        Primitive("space");
        string name = Unique(hint);
        Add(name, body);
        return name;
    }

    /// <summary>
    /// For a <c>oneOf</c> whose branches are all <c>const</c>/<c>enum</c>: the values that are in exactly one branch (a
    /// value in two matches both, so it is not valid). Null for other oneOfs.
    /// </summary>
    private string? OnlyInOneBranch(JsonElement alts, string path)
    {
        var seen = new Dictionary<string, (JsonElement Value, int Count)>(StringComparer.Ordinal);
        foreach (var a in alts.EnumerateArray())
        {
            if (a.ValueKind != JsonValueKind.Object || a.TryGetProperty("$ref", out _)) return null;
            JsonElement[] values = a.TryGetProperty("const", out var c) ? [c]
                : a.TryGetProperty("enum", out var e) && e.ValueKind == JsonValueKind.Array ? [.. e.EnumerateArray()] : [];
            if (values.Length == 0) return null;
            foreach (var key in values.Select(v => CompactJson(v)).Distinct())
                seen[key] = seen.TryGetValue(key, out var x) ? (x.Value, x.Count + 1) : (values.First(v => CompactJson(v) == key), 1);
        }
        var once = seen.Values.Where(v => v.Count == 1).Select(v => Literal(v.Value)).ToList();
        if (once.Count == 0) throw new GrammarFormatException($"'oneOf' at {path} has no value that matches exactly one branch.");
        return string.Join(" | ", once);
    }

    private JsonElement? Resolve(string reference)
    {
        if (!reference.StartsWith('#')) return null;
        var target = _root;
        foreach (var raw in reference[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            string part = raw.Replace("~1", "/").Replace("~0", "~");
            if (target.ValueKind != JsonValueKind.Object || !target.TryGetProperty(part, out target)) return null;
        }
        return target;
    }

    /// <summary>Whether a oneOf's branches can never both match (see <see cref="OneOfExclusivity"/>), for tests and diagnostics.</summary>
    internal static bool OneOfIsExact(string schemaJson, string pointer = "")
    {
        using var doc = JsonDocument.Parse(schemaJson);
        var c = new JsonSchemaToGbnf(doc.RootElement);
        var s = pointer.Length == 0 ? doc.RootElement : c.Resolve("#" + pointer) ?? throw new ArgumentException($"No schema at {pointer}.", nameof(pointer));
        return OneOfExclusivity.AllExclusive([.. s.GetProperty("oneOf").EnumerateArray()], c.Resolve);
    }

    private string Ref(string reference, string path)
    {
        if (_refRules.TryGetValue(reference, out var existing)) return existing;
        if (!reference.StartsWith('#')) throw new GrammarFormatException($"Only local $ref ('#/$defs/...') is supported, found '{reference}' at {path}.");
        var target = Resolve(reference) ?? throw new GrammarFormatException($"$ref '{reference}' at {path} points at nothing.");
        string name = Unique("ref-" + reference.Split('/')[^1]);
        _refRules[reference] = name;
        Add(name, "\"\""); // reserved so recursive references resolve to this name
        string body = Visit(target, name + "-value", reference);
        Add(name, body);
        return name;
    }

    private string ObjectRule(JsonElement s, string hint, string path)
    {
        var required = new HashSet<string>(StringComparer.Ordinal);
        if (s.TryGetProperty("required", out var req))
            foreach (var r in req.EnumerateArray()) required.Add(r.GetString() ?? "");
        var props = new List<(string Name, string Rule)>();
        if (s.TryGetProperty("properties", out var ps))
            foreach (var p in ps.EnumerateObject())
                props.Add((p.Name, Visit(p.Value, $"{hint}-{p.Name}", $"{path}/properties/{p.Name}")));
        foreach (var r in required)
            if (!props.Exists(p => p.Name == r)) throw new GrammarFormatException($"Required property '{r}' at {path} has no schema in 'properties'.");

        // As llama.cpp: with declared properties, extra keys only when additionalProperties says so; without, any object.
        string? extra = null;
        bool hasAdditional = s.TryGetProperty("additionalProperties", out var ap);
        if ((hasAdditional && ap.ValueKind != JsonValueKind.False) || (!hasAdditional && props.Count == 0))
        {
            string valueRule = hasAdditional && ap.ValueKind == JsonValueKind.Object ? Visit(ap, $"{hint}-additional", $"{path}/additionalProperties") : Primitive("value");
            string key = NotStringsKey(hint, props.Select(p => p.Name).ToList());
            extra = Define($"{hint}-additional-kv", $"{key} \":\" space {valueRule}");
        }

        var kv = props.Select(p => (p.Name, Rule: Define($"{hint}-{p.Name}-kv", $"{StringLiteral(JsonString(p.Name))} space \":\" space {p.Rule}"))).ToList();
        var req1 = kv.Where(p => required.Contains(p.Name)).Select(p => p.Rule).ToList();
        var opt = kv.Where(p => !required.Contains(p.Name)).Select(p => p.Rule).ToList();

        var body = new StringBuilder("\"{\" space ");
        if (req1.Count > 0)
        {
            body.Append(string.Join(" \",\" space ", req1));
            foreach (var o in opt) body.Append(" ( \",\" space ").Append(o).Append(" )?");
            if (extra != null) body.Append(" ( \",\" space ").Append(extra).Append(" )*");
        }
        else if (opt.Count > 0 || extra != null)
        {
            // No required keys: any in-order subset of the optional ones (then extras), comma-separated.
            var alts = new List<string>();
            for (int i = 0; i < opt.Count; i++)
            {
                var a = new StringBuilder(opt[i]);
                for (int j = i + 1; j < opt.Count; j++) a.Append(" ( \",\" space ").Append(opt[j]).Append(" )?");
                if (extra != null) a.Append(" ( \",\" space ").Append(extra).Append(" )*");
                alts.Add(a.ToString());
            }
            if (extra != null) alts.Add($"{extra} ( \",\" space {extra} )*");
            body.Append("( ").Append(string.Join(" | ", alts)).Append(" )?");
        }
        body.Append(" \"}\" space");
        return Define(hint, body.ToString());
    }

    /// <summary>A JSON string key (plain characters, no escapes) that is none of <paramref name="names"/>: a trie of the names where leaving the trie is always allowed.</summary>
    private string NotStringsKey(string hint, List<string> names)
    {
        // Names needing escapes (or outside the BMP) cannot be spelled by plain characters in a class; leave them out.
        var plain = names.Where(n => n.All(ch => ch >= 0x20 && ch != '"' && ch != '\\' && !char.IsSurrogate(ch))).ToList();
        if (plain.Count == 0) return Primitive("plain-key");
        Primitive("plain-char");
        int counter = 0;
        string NodeRule(string prefix)
        {
            var next = plain.Where(n => n.Length > prefix.Length && n.StartsWith(prefix, StringComparison.Ordinal))
                .Select(n => n[prefix.Length]).Distinct().ToList();
            string name = Unique($"{hint}-key-{counter++}");
            Add(name, "\"\"");
            var alts = new List<string>();
            var excluded = new StringBuilder("[^\"\\\\\\x00-\\x1F");
            foreach (char ch in next) excluded.Append(ClassChar(ch));
            excluded.Append(']');
            alts.Add($"{excluded} plain-char*");
            foreach (char ch in next) alts.Add($"{StringLiteral(ch.ToString())} {NodeRule(prefix + ch)}");
            if (!plain.Contains(prefix)) alts.Add("\"\"");
            Add(name, string.Join(" | ", alts));
            return name;
        }
        return Define($"{hint}-key", $"\"\\\"\" {NodeRule("")} \"\\\"\" space");
    }

    private string ArrayRule(JsonElement s, string hint, string path)
    {
        string item = s.TryGetProperty("items", out var items) ? Visit(items, $"{hint}-item", $"{path}/items") : Primitive("value");
        int min = s.TryGetProperty("minItems", out var mi) ? mi.GetInt32() : 0;
        int max = s.TryGetProperty("maxItems", out var ma) ? ma.GetInt32() : -1;
        if (min < 0 || (max >= 0 && max < min)) throw new GrammarFormatException($"Array bounds at {path} are inconsistent (minItems {min}, maxItems {max}).");
        string body;
        if (max == 0) body = "\"[\" space \"]\" space";
        else
        {
            string rest = $"( \",\" space {item} ){Repetition(Math.Max(min - 1, 0), max < 0 ? -1 : max - 1)}";
            body = min == 0 ? $"\"[\" space ( {item} {rest} )? \"]\" space" : $"\"[\" space {item} {rest} \"]\" space";
        }
        return Define(hint, body);
    }

    private string StringRule(JsonElement s, string hint, string path)
    {
        if (s.TryGetProperty("pattern", out var pattern))
        {
            if (pattern.ValueKind != JsonValueKind.String) throw new GrammarFormatException($"'pattern' at {path} must be a string.");
            foreach (var k in new[] { "format", "minLength", "maxLength" })
                if (s.TryGetProperty(k, out _)) throw new GrammarFormatException($"'pattern' together with '{k}' (at {path}) is not supported for constrained decoding; fold the constraint into the pattern.");
            Primitive("char");
            return Define(hint, RegexToGbnf.Convert(pattern.GetString()!, "char", $"{path}/pattern") + " space");
        }
        if (s.TryGetProperty("format", out var f))
        {
            switch (f.GetString())
            {
                case "date-time": return Primitive("date-time-string");
                case "date": return Primitive("date-string");
                case "time": return Primitive("time-string");
                case "uuid": return Primitive("uuid-string");
            }
        }
        int min = s.TryGetProperty("minLength", out var mi) ? mi.GetInt32() : 0;
        int max = s.TryGetProperty("maxLength", out var ma) ? ma.GetInt32() : -1;
        if (min == 0 && max < 0) return Primitive("string");
        if (min < 0 || (max >= 0 && max < min)) throw new GrammarFormatException($"String length bounds at {path} are inconsistent.");
        Primitive("char");
        return Define(hint, $"\"\\\"\" char{Repetition(min, max)} \"\\\"\" space");
    }

    private static string Repetition(int min, int max) => max < 0 ? $"{{{min},}}" : $"{{{min},{max}}}";

    private string IntegerRule(JsonElement s, string hint, string path)
    {
        var (lo, hi) = IntegerBounds(s, path);
        if (lo == null && hi == null) return Primitive("integer");
        if (lo != null && hi != null && lo > hi) throw new GrammarFormatException($"Integer bounds at {path} leave no value (minimum {lo} > maximum {hi}).");
        return Define(hint, $"( {IntegerRange.Gbnf(lo, hi)} ) space");
    }

    private static (BigInteger? Lo, BigInteger? Hi) IntegerBounds(JsonElement s, string path)
    {
        // Draft 4 wrote exclusive bounds as booleans beside minimum/maximum; later drafts as numbers.
        bool hasExMin = s.TryGetProperty("exclusiveMinimum", out var exMin), hasExMax = s.TryGetProperty("exclusiveMaximum", out var exMax);
        BigInteger? lo = null, hi = null;
        if (s.TryGetProperty("minimum", out var v)) lo = hasExMin && exMin.ValueKind == JsonValueKind.True ? Floor(v, path) + 1 : Ceiling(v, path);
        if (s.TryGetProperty("maximum", out v)) hi = hasExMax && exMax.ValueKind == JsonValueKind.True ? Ceiling(v, path) - 1 : Floor(v, path);
        if (hasExMin && exMin.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) lo = Max(lo, Floor(exMin, path) + 1);
        if (hasExMax && exMax.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) hi = Min(hi, Ceiling(exMax, path) - 1);
        return (lo, hi);

        static BigInteger Max(BigInteger? a, BigInteger b) => a == null ? b : BigInteger.Max(a.Value, b);
        static BigInteger Min(BigInteger? a, BigInteger b) => a == null ? b : BigInteger.Min(a.Value, b);
    }

    /// <summary>The smallest integer at or above a numeric bound, exact for integer literals of any size.</summary>
    private static BigInteger Ceiling(JsonElement v, string path) => Round(v, path, ceiling: true);

    private static BigInteger Floor(JsonElement v, string path) => Round(v, path, ceiling: false);

    private static BigInteger Round(JsonElement v, string path, bool ceiling)
    {
        if (v.ValueKind != JsonValueKind.Number) throw new GrammarFormatException($"A numeric bound at {path} is not a number ({v.GetRawText()}).");
        string raw = v.GetRawText();
        if (BigInteger.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exact)) return exact;
        if (v.TryGetDecimal(out decimal m)) return new BigInteger(ceiling ? Math.Ceiling(m) : Math.Floor(m));
        double d = v.GetDouble();
        if (!double.IsFinite(d)) throw new GrammarFormatException($"The numeric bound {raw} at {path} is out of range.");
        return new BigInteger(ceiling ? Math.Ceiling(d) : Math.Floor(d));
    }

    /// <summary>
    /// Numbers with bounds: without exclusive bounds, an integer part in [ceil(min), floor(max) - 1] with any fraction,
    /// or exactly floor(max); when min is below 0 or a bound is exclusive, integers only. Every generated value is in
    /// range, but values like 0.5 in [0.2, 1] with a non-zero integer part below ceil(min) are not reachable.
    /// </summary>
    private string NumberRule(JsonElement s, string hint, string path)
    {
        bool hasLo = s.TryGetProperty("minimum", out var loE), hasHi = s.TryGetProperty("maximum", out var hiE);
        bool exclusive = s.TryGetProperty("exclusiveMinimum", out _) || s.TryGetProperty("exclusiveMaximum", out _);
        if (!hasLo && !hasHi && !exclusive) return Primitive("number");
        if (!exclusive && hasLo && Floor(loE, path) >= 0)
        {
            BigInteger lo = Ceiling(loE, path);
            if (!hasHi) return Define(hint, $"( {IntegerRange.Gbnf(lo, null)} ) ( \".\" [0-9]{{1,16}} )? space");
            BigInteger hi = Floor(hiE, path);
            if (hi < lo) throw new GrammarFormatException($"Number bounds at {path} contain no value with this grammar's number forms.");
            string whole = IntegerRange.Gbnf(hi, hi);
            string body = hi > lo ? $"( {IntegerRange.Gbnf(lo, hi - 1)} ) ( \".\" [0-9]{{1,16}} )? | {whole}" : whole;
            return Define(hint, $"( {body} ) space");
        }
        var (ilo, ihi) = IntegerBounds(s, path);
        if (ilo != null && ihi != null && ilo > ihi) throw new GrammarFormatException($"Number bounds at {path} contain no integer, which is all this grammar can produce for them.");
        return Define(hint, $"( {IntegerRange.Gbnf(ilo, ihi)} ) space");
    }

    /// <summary>Shared rules, added the first time they are used.</summary>
    private string Primitive(string name)
    {
        if (_rules.ContainsKey(name)) return name;
        string body = name switch
        {
            "space" => "| \" \" | \"\\n\" [ \\t]{0,20}",
            "value" => "object | array | string | number | boolean | null",
            "object" => "\"{\" space ( string \":\" space value ( \",\" space string \":\" space value )* )? \"}\" space",
            "array" => "\"[\" space ( value ( \",\" space value )* )? \"]\" space",
            "string" => "\"\\\"\" char* \"\\\"\" space",
            // \u escapes of surrogates are left out: a lone one is not text (.NET refuses to read it as a string), and
            // characters past U+FFFF can be written as themselves.
            "char" => "[^\"\\\\\\x00-\\x1F] | \"\\\\\" ( [\"\\\\/bfnrt] | \"u\" ( [0-9a-cA-CefEF] [0-9a-fA-F]{3} | [dD] [0-7] [0-9a-fA-F]{2} ) )",
            "plain-char" => "[^\"\\\\\\x00-\\x1F]",
            "plain-key" => "\"\\\"\" plain-char* \"\\\"\" space",
            "number" => "\"-\"? ( \"0\" | [1-9] [0-9]{0,15} ) ( \".\" [0-9]{1,16} )? ( [eE] [-+]? [0-9]{1,3} )? space",
            "integer" => "\"-\"? ( \"0\" | [1-9] [0-9]{0,15} ) space",
            "boolean" => "( \"true\" | \"false\" ) space",
            "null" => "\"null\" space",
            // RFC 3339; days limited per month (February to 28) so every date exists, UTC offsets to ±13:59 as .NET parses them.
            "date" => "[0-9]{4} \"-\" ( ( \"0\" [13578] | \"1\" [02] ) \"-\" ( \"0\" [1-9] | [12] [0-9] | \"3\" [01] ) | ( \"0\" [469] | \"11\" ) \"-\" ( \"0\" [1-9] | [12] [0-9] | \"30\" ) | \"02-\" ( \"0\" [1-9] | \"1\" [0-9] | \"2\" [0-8] ) )",
            "time" => "( [01] [0-9] | \"2\" [0-3] ) \":\" [0-5] [0-9] \":\" [0-5] [0-9] ( \".\" [0-9]{1,6} )? ( \"Z\" | [+-] ( \"0\" [0-9] | \"1\" [0-3] ) \":\" [0-5] [0-9] )",
            "date-time-string" => "\"\\\"\" date \"T\" time \"\\\"\" space",
            "date-string" => "\"\\\"\" date \"\\\"\" space",
            "time-string" => "\"\\\"\" time \"\\\"\" space",
            "uuid-string" => "\"\\\"\" [0-9a-fA-F]{8} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{12} \"\\\"\" space",
            _ => throw new InvalidOperationException(name),
        };
        Add(name, body);
        if (Dependencies.TryGetValue(name, out var deps))
            foreach (var d in deps) Primitive(d);
        return name;
    }

    private static readonly Dictionary<string, string[]> Dependencies = new(StringComparer.Ordinal)
    {
        ["value"] = ["object", "array", "string", "number", "boolean", "null"],
        ["object"] = ["space", "string", "value"],
        ["array"] = ["space", "value"],
        ["string"] = ["char", "space"],
        ["plain-key"] = ["plain-char", "space"],
        ["number"] = ["space"],
        ["integer"] = ["space"],
        ["boolean"] = ["space"],
        ["null"] = ["space"],
        ["date-time-string"] = ["date", "time", "space"],
        ["date-string"] = ["date", "space"],
        ["time-string"] = ["time", "space"],
        ["uuid-string"] = ["space"],
    };

    /// <summary>The exact JSON text of a value, then optional space.</summary>
    private string Literal(JsonElement v)
    {
        Primitive("space");
        return $"{StringLiteral(CompactJson(v))} space";
    }

    private static string CompactJson(JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.String) return JsonString(v.GetString()!);
        if (v.ValueKind == JsonValueKind.Object)
            return "{" + string.Join(",", v.EnumerateObject().Select(p => JsonString(p.Name) + ":" + CompactJson(p.Value))) + "}";
        if (v.ValueKind == JsonValueKind.Array)
            return "[" + string.Join(",", v.EnumerateArray().Select(CompactJson)) + "]";
        return v.GetRawText();
    }

    /// <summary>A JSON string literal: quotes, backslashes and control characters escaped, everything else as is.</summary>
    private static string JsonString(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in s)
        {
            if (c == '"') sb.Append("\\\"");
            else if (c == '\\') sb.Append("\\\\");
            else if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.Append('"').ToString();
    }

    /// <summary>A GBNF string literal matching <paramref name="text"/> exactly.</summary>
    private static string StringLiteral(string text)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in text)
        {
            if (c == '"' || c == '\\') sb.Append('\\').Append(c);
            else if (c < 0x20 || c == 0x7F) sb.Append("\\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.Append('"').ToString();
    }

    private static string ClassChar(char c) =>
        char.IsAsciiLetterOrDigit(c) ? c.ToString() : "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);
}
