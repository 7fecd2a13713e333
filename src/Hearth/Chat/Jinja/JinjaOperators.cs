using System.Text;

namespace Hearth.Chat.Jinja;

/// <summary>Python's arithmetic and membership operators on template values.</summary>
internal static class JinjaOperators
{
    public static object? Arithmetic(string op, object? a, object? b)
    {
        if (JinjaValue.IsNumber(a) && JinjaValue.IsNumber(b))
        {
            bool isFloat = a is double || b is double;
            switch (op)
            {
                case "+": return isFloat ? (object)(JinjaValue.ToDouble(a) + JinjaValue.ToDouble(b)) : checked(JinjaValue.ToLong(a) + JinjaValue.ToLong(b));
                case "-": return isFloat ? (object)(JinjaValue.ToDouble(a) - JinjaValue.ToDouble(b)) : checked(JinjaValue.ToLong(a) - JinjaValue.ToLong(b));
                case "*": return isFloat ? (object)(JinjaValue.ToDouble(a) * JinjaValue.ToDouble(b)) : checked(JinjaValue.ToLong(a) * JinjaValue.ToLong(b));
                case "/":
                    if (JinjaValue.ToDouble(b) == 0) throw new JinjaException("division by zero");
                    return JinjaValue.ToDouble(a) / JinjaValue.ToDouble(b);
                case "//":
                    if (JinjaValue.ToDouble(b) == 0) throw new JinjaException("integer division or modulo by zero");
                    if (isFloat) return Math.Floor(JinjaValue.ToDouble(a) / JinjaValue.ToDouble(b));
                    return FloorDiv(JinjaValue.ToLong(a), JinjaValue.ToLong(b));
                case "%":
                    if (JinjaValue.ToDouble(b) == 0) throw new JinjaException("integer division or modulo by zero");
                    if (isFloat)
                    {
                        double x = JinjaValue.ToDouble(a), y = JinjaValue.ToDouble(b);
                        double r = x % y;
                        return r != 0 && (r < 0) != (y < 0) ? r + y : r;
                    }
                    long la = JinjaValue.ToLong(a), lb = JinjaValue.ToLong(b);
                    return la - (lb * FloorDiv(la, lb));
                case "**":
                    if (!isFloat && JinjaValue.ToLong(b) >= 0)
                    {
                        long result = 1, bas = JinjaValue.ToLong(a);
                        for (long i = JinjaValue.ToLong(b); i > 0; i--) result = checked(result * bas);
                        return result;
                    }
                    return Math.Pow(JinjaValue.ToDouble(a), JinjaValue.ToDouble(b));
            }
        }
        switch (op)
        {
            case "+" when a is string sa && b is string sb:
                return sa + sb;
            case "+" when a is List<object?> la && b is List<object?> lb:
                return new List<object?>(la.Concat(lb));
            case "*" when a is string s && b is long or bool:
                return Repeat(s, JinjaValue.ToLong(b));
            case "*" when b is string s && a is long or bool:
                return Repeat(s, JinjaValue.ToLong(a));
            case "*" when a is List<object?> l && b is long n:
                return RepeatList(l, n);
            case "%" when a is string fmt:
                return PythonFormat.Percent(fmt, b);
        }
        throw new JinjaException($"unsupported operand type(s) for {op}: '{JinjaValue.TypeName(a)}' and '{JinjaValue.TypeName(b)}'");
    }

    private static long FloorDiv(long a, long b)
    {
        long q = a / b;
        return (a % b != 0) && ((a < 0) != (b < 0)) ? q - 1 : q;
    }

    private static string Repeat(string s, long n)
    {
        var sb = new StringBuilder();
        for (long i = 0; i < n; i++) sb.Append(s);
        return sb.ToString();
    }

    private static List<object?> RepeatList(List<object?> l, long n)
    {
        var r = new List<object?>();
        for (long i = 0; i < n; i++) r.AddRange(l);
        return r;
    }

    public static object? Negate(object? x) => x switch
    {
        long l => (object)(-l),
        bool b => b ? -1L : 0L,
        double d => -d,
        _ => throw new JinjaException($"bad operand type for unary -: '{JinjaValue.TypeName(x)}'"),
    };

    public static object? Plus(object? x) => x switch
    {
        long or double => x,
        bool b => b ? 1L : 0L,
        _ => throw new JinjaException($"bad operand type for unary +: '{JinjaValue.TypeName(x)}'"),
    };

    /// <summary>Python <c>item in container</c>.</summary>
    public static bool Contains(object? container, object? item)
    {
        switch (container)
        {
            case string s:
                if (item is not string sub) throw new JinjaException($"'in <string>' requires string as left operand, not {JinjaValue.TypeName(item)}");
                return s.Contains(sub, StringComparison.Ordinal);
            case List<object?> l:
                foreach (var x in l) if (JinjaValue.PyEquals(x, item)) return true;
                return false;
            case JinjaDict d:
                return d.ContainsKey(item);
            case JinjaUndefined:
                return false;
            default:
                throw new JinjaException($"argument of type '{JinjaValue.TypeName(container)}' is not iterable");
        }
    }
}
