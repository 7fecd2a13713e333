namespace Hearth.Chat.Jinja;

/// <summary>The built-in tests (<c>value is name(args)</c>), as Jinja2 defines them.</summary>
internal static class JinjaTests
{
    public static readonly HashSet<string> Names =
    [
        "defined", "undefined", "none", "string", "number", "integer", "float", "mapping", "iterable", "sequence", "boolean",
        "true", "false", "callable", "equalto", "eq", "==", "ne", "!=", "lt", "<", "lessthan", "le", "<=", "gt", ">",
        "greaterthan", "ge", ">=", "sameas", "odd", "even", "divisibleby", "in", "lower", "upper", "escaped", "filter", "test",
    ];

    public static bool Apply(JinjaEvaluator ev, string name, object? v, List<object?> args)
    {
        object? Arg(int i) => i < args.Count ? args[i] : throw new JinjaException($"the test '{name}' needs an argument");
        switch (name)
        {
            case "defined": return v is not JinjaUndefined;
            case "undefined": return v is JinjaUndefined;
            case "none": return v == null;
            case "string": return v is string;
            case "number": return v is long or double or bool;
            case "integer": return v is long;
            case "float": return v is double;
            case "boolean": return v is bool;
            case "true": return v is true;
            case "false": return v is false;
            case "mapping": return v is JinjaDict;
            case "iterable": return v is string or List<object?> or JinjaDict or JinjaUndefined;
            case "sequence": return v is string or List<object?> or JinjaDict or JinjaUndefined;
            case "callable": return v is JinjaCallable;
            case "escaped": return false;
            case "equalto" or "eq" or "==": return JinjaValue.PyEquals(v, Arg(0));
            case "ne" or "!=": return !JinjaValue.PyEquals(v, Arg(0));
            case "lt" or "<" or "lessthan": return JinjaValue.Compare(JinjaEvaluator.Defined(v), Arg(0)) < 0;
            case "le" or "<=": return JinjaValue.Compare(JinjaEvaluator.Defined(v), Arg(0)) <= 0;
            case "gt" or ">" or "greaterthan": return JinjaValue.Compare(JinjaEvaluator.Defined(v), Arg(0)) > 0;
            case "ge" or ">=": return JinjaValue.Compare(JinjaEvaluator.Defined(v), Arg(0)) >= 0;
            case "sameas":
            {
                object? other = Arg(0);
                if (v == null || other == null) return v == null && other == null;
                if (v is bool b1) return other is bool b2 && b1 == b2;
                return ReferenceEquals(v, other) || (v is long l1 && other is long l2 && l1 == l2);
            }
            case "odd": return JinjaValue.ToLong(JinjaEvaluator.Defined(v)) % 2 != 0;
            case "even": return JinjaValue.ToLong(JinjaEvaluator.Defined(v)) % 2 == 0;
            case "divisibleby": return JinjaValue.ToLong(JinjaEvaluator.Defined(v)) % JinjaValue.ToLong(Arg(0)) == 0;
            case "in": return JinjaOperators.Contains(Arg(0), v);
            case "lower": return JinjaValue.ToStr(v) is var sl && sl.Any(char.IsLower) && !sl.Any(char.IsUpper);
            case "upper": return JinjaValue.ToStr(v) is var su && su.Any(char.IsUpper) && !su.Any(char.IsLower);
            case "filter": return JinjaFilters.Names.Contains(JinjaValue.ToStr(v));
            case "test": return Names.Contains(JinjaValue.ToStr(v));
            default: throw new JinjaException($"unknown test '{name}'");
        }
    }
}
