using System.Globalization;
using System.Text;

namespace Hearth.Sampling;

/// <summary>
/// GBNF matching exactly the decimal integers in [lo, hi] (either side open), without leading zeros or "-0":
/// the range is split by digit count, and each same-length range [x, y] into x's first digit followed by
/// [rest of x, 99..9], the digits strictly between, and y's first digit followed by [00..0, rest of y].
/// </summary>
internal static class IntegerRange
{
    private const int MaxDigits = 16; // as the unbounded integer rule: up to 16 digits

    public static string Gbnf(long? lo, long? hi)
    {
        var parts = new List<string>();
        if (lo == null || lo < 0)
        {
            long hiNeg = hi == null ? -1 : Math.Min(hi.Value, -1);
            if (lo == null || hiNeg >= lo)
            {
                // -v for v in [lo, hiNeg] is "-" then a magnitude in [-hiNeg, -lo]
                string magLo = Magnitude(hiNeg);
                string? magHi = lo == null ? null : Magnitude(lo.Value);
                parts.Add($"\"-\" ( {NonNegative(magLo, magHi)} )");
            }
        }
        if (hi == null || hi >= 0)
        {
            long nlo = lo == null ? 0 : Math.Max(lo.Value, 0);
            if (hi == null || nlo <= hi)
                parts.Add(NonNegative(nlo.ToString(CultureInfo.InvariantCulture), hi?.ToString(CultureInfo.InvariantCulture)));
        }
        return string.Join(" | ", parts);
    }

    // |v| as digits, also for long.MinValue.
    private static string Magnitude(long v) => ((decimal)v < 0 ? -(decimal)v : v).ToString(CultureInfo.InvariantCulture);

    private static string NonNegative(string a, string? b)
    {
        var parts = new List<string>();
        if (b == null)
        {
            parts.Add(SameLength(a, new string('9', a.Length)));
            if (a.Length < MaxDigits) parts.Add($"[1-9] [0-9]{{{a.Length},{MaxDigits - 1}}}");
        }
        else
        {
            for (int len = a.Length; len <= b.Length; len++)
            {
                string lo = len == a.Length ? a : "1" + new string('0', len - 1);
                string hi = len == b.Length ? b : new string('9', len);
                parts.Add(SameLength(lo, hi));
            }
        }
        return string.Join(" | ", parts);
    }

    private static string SameLength(string x, string y)
    {
        int n = x.Length;
        if (n == 1) return x == y ? $"\"{x}\"" : $"[{x}-{y}]";
        if (x[0] == y[0]) return $"\"{x[0]}\" ( {SameLength(x[1..], y[1..])} )";
        if (x[1..].All(c => c == '0') && y[1..].All(c => c == '9')) return $"[{x[0]}-{y[0]}] [0-9]{{{n - 1}}}";
        var sb = new StringBuilder();
        sb.Append($"\"{x[0]}\" ( {SameLength(x[1..], new string('9', n - 1))} )");
        if (y[0] - x[0] >= 2) sb.Append($" | [{(char)(x[0] + 1)}-{(char)(y[0] - 1)}] [0-9]{{{n - 1}}}");
        sb.Append($" | \"{y[0]}\" ( {SameLength(new string('0', n - 1), y[1..])} )");
        return sb.ToString();
    }
}
