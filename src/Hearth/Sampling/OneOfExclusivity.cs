using System.Text.Json;

namespace Hearth.Sampling;

/// <summary>
/// Decides, from the schemas alone, whether the branches of a <c>oneOf</c> can never both match one value. When they
/// cannot, the grammar for "any branch" (anyOf) produces exactly the values valid for the oneOf. Two branches are
/// exclusive when (checked in this order):
/// <list type="number">
/// <item>the JSON types they allow are disjoint (integer counts as number);</item>
/// <item>both are <c>const</c>/<c>enum</c> and share no value, or one is and none of its values has a type the other allows;</item>
/// <item>both are objects with a property required by both whose <c>const</c>/<c>enum</c> values are disjoint (a discriminator);</item>
/// <item>one requires a property the other forbids (the other has <c>additionalProperties: false</c> and does not list it).</item>
/// </list>
/// Anything else (nested combinators, overlapping ranges, patterns...) counts as possibly overlapping.
/// </summary>
internal static class OneOfExclusivity
{
    private static readonly string[] AllTypes = ["object", "array", "string", "number", "boolean", "null"];

    private sealed record Shape(HashSet<string> Types, HashSet<string>? Literals, JsonElement? Object);

    /// <summary>Whether every pair of <paramref name="branches"/> is exclusive; <paramref name="resolve"/> follows <c>$ref</c>.</summary>
    public static bool AllExclusive(IReadOnlyList<JsonElement> branches, Func<string, JsonElement?> resolve)
    {
        var shapes = new List<Shape>(branches.Count);
        foreach (var b in branches) shapes.Add(ShapeOf(b, resolve));
        for (int i = 0; i < shapes.Count; i++)
            for (int j = i + 1; j < shapes.Count; j++)
                if (!Exclusive(shapes[i], shapes[j])) return false;
        return true;
    }

    private static Shape ShapeOf(JsonElement s, Func<string, JsonElement?> resolve)
    {
        for (int depth = 0; depth < 32 && s.ValueKind == JsonValueKind.Object && s.TryGetProperty("$ref", out var r); depth++)
        {
            if (resolve(r.GetString() ?? "") is not { } target) break;
            s = target;
        }
        var all = new HashSet<string>(AllTypes, StringComparer.Ordinal);
        if (s.ValueKind != JsonValueKind.Object) return new(all, null, null);
        if (s.TryGetProperty("const", out var c)) return Literals([c]);
        if (s.TryGetProperty("enum", out var e) && e.ValueKind == JsonValueKind.Array) return Literals([.. e.EnumerateArray()]);
        if (s.TryGetProperty("anyOf", out _) || s.TryGetProperty("oneOf", out _) || s.TryGetProperty("$ref", out _)) return new(all, null, null);

        var types = new HashSet<string>(StringComparer.Ordinal);
        if (s.TryGetProperty("type", out var t))
        {
            if (t.ValueKind == JsonValueKind.String) types.Add(Normal(t.GetString()));
            else if (t.ValueKind == JsonValueKind.Array)
                foreach (var x in t.EnumerateArray()) types.Add(Normal(x.GetString()));
        }
        else if (s.TryGetProperty("properties", out _) || s.TryGetProperty("additionalProperties", out _)) types.Add("object");
        else if (s.TryGetProperty("items", out _)) types.Add("array");
        else types = all;
        return new(types, null, types.Count == 1 && types.Contains("object") ? s : null);
    }

    private static string Normal(string? type) => type == "integer" ? "number" : type ?? "";

    private static Shape Literals(IEnumerable<JsonElement> values)
    {
        var types = new HashSet<string>(StringComparer.Ordinal);
        var literals = new HashSet<string>(StringComparer.Ordinal);
        foreach (var v in values)
        {
            types.Add(TypeOf(v));
            literals.Add(Canonical(v));
        }
        return new(types, literals, null);
    }

    private static string TypeOf(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };

    /// <summary>A value's identity for comparing literals: numbers by value, objects with sorted keys.</summary>
    private static string Canonical(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Number => "n:" + v.GetDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        JsonValueKind.Object => "{" + string.Join(",", v.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => JsonSerializer.Serialize(p.Name) + ":" + Canonical(p.Value))) + "}",
        JsonValueKind.Array => "[" + string.Join(",", v.EnumerateArray().Select(Canonical)) + "]",
        _ => v.GetRawText(),
    };

    private static bool Exclusive(Shape a, Shape b)
    {
        if (!a.Types.Overlaps(b.Types)) return true;
        if (a.Literals is { } la && b.Literals is { } lb) return !la.Overlaps(lb);
        if (a.Object is { } oa && b.Object is { } ob) return Discriminated(oa, ob) || Forbids(oa, ob) || Forbids(ob, oa);
        return false;
    }

    private static bool Discriminated(JsonElement a, JsonElement b)
    {
        foreach (string p in Required(a))
        {
            if (!Required(b).Contains(p)) continue;
            if (PropertyLiterals(a, p) is { } va && PropertyLiterals(b, p) is { } vb && !va.Overlaps(vb)) return true;
        }
        return false;
    }

    /// <summary>Whether <paramref name="a"/> requires a property that <paramref name="b"/> does not allow.</summary>
    private static bool Forbids(JsonElement a, JsonElement b)
    {
        if (!b.TryGetProperty("additionalProperties", out var ap) || ap.ValueKind != JsonValueKind.False) return false;
        bool hasProps = b.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object;
        foreach (string p in Required(a))
            if (!hasProps || !props.TryGetProperty(p, out _)) return true;
        return false;
    }

    private static HashSet<string> Required(JsonElement s)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (s.TryGetProperty("required", out var req) && req.ValueKind == JsonValueKind.Array)
            foreach (var r in req.EnumerateArray())
                if (r.GetString() is { } name) set.Add(name);
        return set;
    }

    private static HashSet<string>? PropertyLiterals(JsonElement s, string property) =>
        s.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object && props.TryGetProperty(property, out var ps)
            && ps.ValueKind == JsonValueKind.Object && (ps.TryGetProperty("const", out _) || ps.TryGetProperty("enum", out _))
            ? ShapeOfLiteral(ps) : null;

    private static HashSet<string>? ShapeOfLiteral(JsonElement ps) =>
        ps.TryGetProperty("const", out var c) ? [Canonical(c)]
        : ps.TryGetProperty("enum", out var e) && e.ValueKind == JsonValueKind.Array ? [.. e.EnumerateArray().Select(Canonical)] : null;
}
