using System.Globalization;
using System.Numerics;
using System.Text;
using Hearth.Sampling;

namespace Hearth.Tests.Sampling;

/// <summary>
/// Integer schemas with bounds accept exactly the integers in range, written as JSON writes them (no leading zeros,
/// no "+", no "-0"): checked against plain BigInteger comparison over random ranges of every shape and size.
/// </summary>
public class IntegerBoundsPropertyTests
{
    private static bool Accepts(GrammarMatcher m, string text)
    {
        int s = m.Step(m.Initial, Encoding.UTF8.GetBytes(text));
        return s != GrammarMatcher.Dead && m.IsAccepting(s);
    }

    private static string Str(BigInteger v) => v.ToString(CultureInfo.InvariantCulture);

    private static BigInteger RandomBound(Random rng)
    {
        // small, around powers of ten, or huge (past long's range)
        int digits = rng.Next(4) switch { 0 => 1, 1 => 2, 2 => rng.Next(1, 10), _ => rng.Next(10, 25) };
        var v = BigInteger.Pow(10, digits - 1) * rng.Next(1, 10) + rng.Next(-3, 4);
        return rng.Next(3) == 0 ? -v : v;
    }

    /// <summary>Values a range might get wrong: around both bounds, zero and powers of ten, and random ones of every length.</summary>
    private static IEnumerable<BigInteger> Probes(Random rng, BigInteger? lo, BigInteger? hi)
    {
        foreach (var b in new[] { lo, hi })
            if (b is { } x)
                for (int d = -3; d <= 3; d++) yield return x + d;
        for (int d = -12; d <= 12; d++) yield return d;
        for (int k = 1; k <= 26; k++)
        {
            var p = BigInteger.Pow(10, k);
            foreach (var v in new[] { p - 1, p, p + 1 }) { yield return v; yield return -v; }
        }
        for (int i = 0; i < 150; i++)
        {
            var v = new BigInteger(rng.NextInt64()) * BigInteger.Pow(10, rng.Next(0, 10)) / BigInteger.Pow(10, rng.Next(0, 19));
            yield return v;
            if (lo is { } l && hi is { } h && h - l < 1_000_000) yield return l + rng.NextInt64((long)(h - l + 1));
        }
    }

    [Fact]
    public void Random_ranges_accept_exactly_their_integers()
    {
        var rng = new Random(20250905);
        for (int trial = 0; trial < 120; trial++)
        {
            BigInteger? lo = rng.Next(6) == 0 ? null : RandomBound(rng);
            BigInteger? hi = rng.Next(6) == 0 ? null : RandomBound(rng);
            if (lo > hi) (lo, hi) = (hi, lo);
            string schema = "{\"type\":\"integer\"" + (lo is { } a ? ",\"minimum\":" + Str(a) : "") + (hi is { } b ? ",\"maximum\":" + Str(b) : "") + "}";
            var m = new GrammarMatcher(Grammar.FromJsonSchema(schema));
            foreach (var v in Probes(rng, lo, hi))
            {
                // Open sides reach 16 digits (the unbounded integer rule's length) or the closed bound's length.
                int openDigits = Math.Max(16, Math.Max(lo is { } l1 ? Str(BigInteger.Abs(l1)).Length : 0, hi is { } h1 ? Str(BigInteger.Abs(h1)).Length : 0));
                bool inRange = (lo == null || v >= lo) && (hi == null || v <= hi);
                if (inRange && (lo == null || hi == null) && Str(BigInteger.Abs(v)).Length > openDigits) continue;
                Assert.True(inRange == Accepts(m, Str(v)), $"{schema}: {v} expected {(inRange ? "accepted" : "rejected")}");
                if (v > 0) Assert.False(Accepts(m, "0" + Str(v)), $"{schema}: leading zero 0{v} accepted");
                if (v > 0) Assert.False(Accepts(m, "+" + Str(v)), $"{schema}: +{v} accepted");
            }
            if (Accepts(m, "-0")) Assert.True((lo == null || lo <= 0) && (hi == null || hi >= 0), $"{schema}: -0 accepted"); // -0 is JSON for 0
        }
    }

    [Theory]
    [InlineData("\"exclusiveMinimum\":-3,\"exclusiveMaximum\":3", -2, 2)]
    [InlineData("\"exclusiveMinimum\":2.5,\"maximum\":9.99", 3, 9)]
    [InlineData("\"minimum\":-3.5,\"exclusiveMaximum\":-0.5", -3, -1)]
    [InlineData("\"minimum\":-7,\"exclusiveMinimum\":true,\"maximum\":7,\"exclusiveMaximum\":true", -6, 6)] // draft 4
    [InlineData("\"minimum\":-7,\"exclusiveMinimum\":false,\"maximum\":7", -7, 7)]
    [InlineData("\"minimum\":0,\"exclusiveMinimum\":4,\"maximum\":100,\"exclusiveMaximum\":50", 5, 49)] // both kinds: the tighter wins
    [InlineData("\"minimum\":-1e2,\"maximum\":1.5e1", -100, 15)]
    public void Exclusive_and_fractional_bounds_round_inwards(string bounds, int first, int last)
    {
        var m = new GrammarMatcher(Grammar.FromJsonSchema("{\"type\":\"integer\"," + bounds + "}"));
        for (int v = first - 30; v <= last + 30; v++)
            Assert.True((v >= first && v <= last) == Accepts(m, v.ToString(CultureInfo.InvariantCulture)), $"{bounds}: {v}");
    }

    [Fact]
    public void Bounds_past_long_are_exact()
    {
        var m = new GrammarMatcher(Grammar.FromJsonSchema("{\"type\":\"integer\",\"minimum\":-123456789012345678901234,\"maximum\":99999999999999999999999}"));
        Assert.True(Accepts(m, "-123456789012345678901234"));
        Assert.False(Accepts(m, "-123456789012345678901235"));
        Assert.True(Accepts(m, "99999999999999999999999"));
        Assert.False(Accepts(m, "100000000000000000000000"));
        Assert.True(Accepts(m, "9223372036854775808")); // long.MaxValue + 1
    }

    [Fact]
    public void Non_numeric_bound_is_a_clear_error()
    {
        var e = Assert.Throws<GrammarFormatException>(() => Grammar.FromJsonSchema("{\"type\":\"integer\",\"minimum\":\"5\"}"));
        Assert.Contains("not a number", e.Message);
    }
}
