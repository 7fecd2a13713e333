using Hearth.Sampling;

namespace Hearth.Cli.Commands;

/// <summary>The CLI's sampling flags that need parsing: <c>--grammar</c> (GBNF) and <c>--json-schema</c> files, <c>--logit-bias</c>.</summary>
internal static class SamplingFactory
{
    /// <summary>Reads --grammar (GBNF) or --json-schema files into a grammar; null when neither is given.</summary>
    public static Grammar? LoadGrammar(string? gbnfPath, string? schemaPath)
    {
        if (gbnfPath != null && schemaPath != null) throw new ArgumentException("Give either --grammar or --json-schema, not both.");
        if (gbnfPath != null) return Grammar.Parse(File.ReadAllText(gbnfPath));
        if (schemaPath != null) return Grammar.FromJsonSchema(File.ReadAllText(schemaPath));
        return null;
    }

    /// <summary>llama.cpp's <c>--logit-bias TOKEN_ID(+/-)BIAS</c> values; null when none are given.</summary>
    public static Dictionary<int, float>? ParseLogitBias(string[]? values)
    {
        if (values is not { Length: > 0 }) return null;
        var result = new Dictionary<int, float>();
        foreach (string v in values)
        {
            int sign = v.IndexOfAny(['+', '-'], 1);
            if (sign < 0 || !int.TryParse(v.AsSpan(0, sign), System.Globalization.CultureInfo.InvariantCulture, out int id)
                || !float.TryParse(v.AsSpan(sign), System.Globalization.CultureInfo.InvariantCulture, out float b))
            {
                throw new ArgumentException($"--logit-bias '{v}' is not TOKEN_ID(+/-)BIAS, e.g. 15043+1 or 2-100.");
            }
            result[id] = b;
        }
        return result;
    }
}
