using System.Globalization;
using System.Text.Json;

namespace Hearth.Tests.Sampling;

/// <summary>
/// A small JSON Schema validator for the keywords the property tests use, written from the JSON Schema spec
/// independently of the grammar compiler. Returns null when valid, else what failed and where.
/// </summary>
internal static class SchemaValidator
{
    public static string? Validate(JsonElement value, JsonElement schema) => Check(value, schema, schema, "$");

    private static string? Check(JsonElement v, JsonElement s, JsonElement root, string at)
    {
        if (s.ValueKind == JsonValueKind.True) return null;
        if (s.TryGetProperty("$ref", out var r))
        {
            var target = root;
            foreach (var part in r.GetString()!.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries)) target = target.GetProperty(part);
            return Check(v, target, root, at);
        }
        if (s.TryGetProperty("const", out var c) && !JsonElement.DeepEquals(v, c)) return $"{at}: not the const";
        if (s.TryGetProperty("enum", out var e) && !e.EnumerateArray().Any(x => JsonElement.DeepEquals(v, x))) return $"{at}: not in enum";
        if (s.TryGetProperty("anyOf", out var any) && !any.EnumerateArray().Any(x => Check(v, x, root, at) == null)) return $"{at}: no anyOf branch";
        if (s.TryGetProperty("oneOf", out var one) && one.EnumerateArray().Count(x => Check(v, x, root, at) == null) != 1) return $"{at}: not exactly one oneOf branch";
        if (s.TryGetProperty("type", out var t))
        {
            var types = t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().Select(x => x.GetString()!).ToList() : [t.GetString()!];
            if (!types.Any(ty => HasType(v, ty))) return $"{at}: not of type {string.Join("/", types)}";
        }
        switch (v.ValueKind)
        {
            case JsonValueKind.Object:
                var props = s.TryGetProperty("properties", out var p) ? p : default;
                if (s.TryGetProperty("required", out var req))
                    foreach (var name in req.EnumerateArray())
                        if (!v.TryGetProperty(name.GetString()!, out _)) return $"{at}: missing {name}";
                foreach (var kv in v.EnumerateObject())
                {
                    if (props.ValueKind == JsonValueKind.Object && props.TryGetProperty(kv.Name, out var ps))
                    {
                        if (Check(kv.Value, ps, root, $"{at}.{kv.Name}") is { } err) return err;
                    }
                    else if (s.TryGetProperty("additionalProperties", out var ap))
                    {
                        if (ap.ValueKind == JsonValueKind.False) return $"{at}: extra property {kv.Name}";
                        if (Check(kv.Value, ap, root, $"{at}.{kv.Name}") is { } err) return err;
                    }
                }
                break;
            case JsonValueKind.Array:
                int n = v.GetArrayLength();
                if (s.TryGetProperty("minItems", out var mi) && n < mi.GetInt32()) return $"{at}: fewer than minItems";
                if (s.TryGetProperty("maxItems", out var ma) && n > ma.GetInt32()) return $"{at}: more than maxItems";
                if (s.TryGetProperty("items", out var items))
                {
                    int i = 0;
                    foreach (var x in v.EnumerateArray())
                        if (Check(x, items, root, $"{at}[{i++}]") is { } err) return err;
                }
                break;
            case JsonValueKind.String:
                string str = v.GetString()!;
                int len = new System.Globalization.StringInfo(str).LengthInTextElements;
                int cps = str.EnumerateRunes().Count();
                if (s.TryGetProperty("minLength", out var mnl) && cps < mnl.GetInt32()) return $"{at}: shorter than minLength";
                if (s.TryGetProperty("maxLength", out var mxl) && cps > mxl.GetInt32()) return $"{at}: longer than maxLength ({len})";
                if (s.TryGetProperty("pattern", out var pat) && !System.Text.RegularExpressions.Regex.IsMatch(str, pat.GetString()!, System.Text.RegularExpressions.RegexOptions.ECMAScript))
                    return $"{at}: does not match pattern {pat.GetString()}: {str}";
                if (s.TryGetProperty("format", out var f) && f.GetString() == "date-time" &&
                    !DateTimeOffset.TryParseExact(str, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                    return $"{at}: not a date-time: {str}";
                break;
            case JsonValueKind.Number:
                double d = v.GetDouble();
                if (s.TryGetProperty("minimum", out var min) && d < min.GetDouble()) return $"{at}: below minimum";
                if (s.TryGetProperty("maximum", out var max) && d > max.GetDouble()) return $"{at}: above maximum";
                if (s.TryGetProperty("exclusiveMinimum", out var emin) && d <= emin.GetDouble()) return $"{at}: not above exclusiveMinimum";
                if (s.TryGetProperty("exclusiveMaximum", out var emax) && d >= emax.GetDouble()) return $"{at}: not below exclusiveMaximum";
                break;
        }
        return null;
    }

    private static bool HasType(JsonElement v, string type) => type switch
    {
        "object" => v.ValueKind == JsonValueKind.Object,
        "array" => v.ValueKind == JsonValueKind.Array,
        "string" => v.ValueKind == JsonValueKind.String,
        "number" => v.ValueKind == JsonValueKind.Number,
        "integer" => v.ValueKind == JsonValueKind.Number && Math.Floor(v.GetDouble()) == v.GetDouble(),
        "boolean" => v.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => v.ValueKind == JsonValueKind.Null,
        _ => false,
    };
}
