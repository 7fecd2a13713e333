using System.Globalization;
using System.Numerics;
using System.Text;

namespace Hearth.Sampling;

/// <summary>
/// GBNF matching exactly the decimal integers in [lo, hi] (either side open), without leading zeros or "-0":
/// the range is split by digit count, and each same-length range [x, y] into x's first digit followed by
/// [rest of x, 99..9], the digits strictly between, and y's first digit followed by [00..0, rest of y].
/// Bounds are exact at any size; an open side reaches 16 digits (as the unbounded integer rule does) or the
/// closed bound's digit count, whichever is more.
/// </summary>
internal static class IntegerRange
{
    private const int MaxDigits = 16; // as the unbounded integer rule: up to 16 digits

    public static string Gbnf(BigInteger? lo, BigInteger? hi)
    {
        if (lo > hi) throw new ArgumentException($"Empty integer range [{lo}, {hi}].", nameof(lo));
        int open = Math.Max(MaxDigits, Math.Max(lo is { } l ? Digits(BigInteger.Abs(l)).Length : 0, hi is { } h ? Digits(BigInteger.Abs(h)).Length : 0));
        var parts = new List<string>();
        if (lo == null || lo < 0)
        {
            BigInteger hiNeg = hi == null ? -1 : BigInteger.Min(hi.Value, -1);
            if (lo == null || hiNeg >= lo)
            {
                // -v for v in [lo, hiNeg] is "-" then a magnitude in [-hiNeg, -lo]
                parts.Add($"\"-\" ( {NonNegative(Digits(-hiNeg), lo == null ? null : Digits(-lo.Value), open)} )");
            }
        }
        if (hi == null || hi >= 0)
        {
            BigInteger nlo = lo == null ? 0 : BigInteger.Max(lo.Value, 0);
            if (hi == null || nlo <= hi) parts.Add(NonNegative(Digits(nlo), hi == null ? null : Digits(hi.Value), open));
        }
        return string.Join(" | ", parts);
    }

    private static string Digits(BigInteger v) => v.ToString(CultureInfo.InvariantCulture);

    private static string NonNegative(string a, string? b, int openDigits)
    {
        var parts = new List<string>();
        if (b == null)
        {
            parts.Add(SameLength(a, new string('9', a.Length)));
            if (a.Length < openDigits) parts.Add($"[1-9] [0-9]{{{a.Length},{openDigits - 1}}}");
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
