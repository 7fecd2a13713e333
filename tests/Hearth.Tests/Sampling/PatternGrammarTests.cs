using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hearth.Sampling;

namespace Hearth.Tests.Sampling;

/// <summary>
/// JSON Schema <c>pattern</c>: strings from random walks through the compiled grammar match .NET's regex engine
/// (ECMAScript mode, the dialect JSON Schema names) for the same pattern, and the grammar accepts exactly the JSON
/// strings the regex matches over generated, mutated and random candidates.
/// </summary>
public class PatternGrammarTests
{
    public static TheoryData<string> Patterns => new()
    {
        "^[a-z]{2,5}$",
        "^\\d{3}-\\d{4}$",
        "^(abc|de)+x?$",
        "^[A-Z][a-z]*( [A-Z][a-z]*){0,2}$",
        "^\\w+@\\w+\\.(com|org)$",
        "^[^\"\\\\]{1,4}$",
        "^[^a-z]{2}$",
        "^a.c$",
        "^(?:\\+|-)?\\d{1,3}(\\.\\d{1,2})?$",
        "^\\s*\\S+\\s*$",
        "^[\\x41-\\x43\\u00e9\\-]+$",
        "^(?<year>\\d{4})-(0[1-9]|1[0-2])$",
        "^(a|)b{2,}?$",
        "^\"q\"\\\\$",
        "ab", // unanchored: anywhere in the string
        "^x|y$",
        "^[\\n\\t]+$",
        "^\\W\\D$",
    };

    /// <summary>JSON string text escaping only what JSON requires (the form the grammar writes).</summary>
    private static string Json(string v)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in v)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\b' => "\\b",
                '\f' => "\\f",
                < ' ' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return sb.Append('"').ToString();
    }

    /// <summary>The schema compiler's own rule for one string character, so these tests use what schemas use.</summary>
    private static readonly string CharRule = JsonSchemaToGbnf.Convert("{\"type\":\"string\"}").Split('\n').First(l => l.StartsWith("char ::= ", StringComparison.Ordinal))["char ::= ".Length..];

    private static string Rule(string pattern) => "root ::= " + RegexToGbnf.Convert(pattern, "char", "#") + "\n" +
        "char ::= " + CharRule + "\n";

    /// <summary>A random walk over bytes the grammar allows, stopping at random once it accepts; null if it runs long.</summary>
    private static byte[]? Walk(GrammarMatcher m, Random rng)
    {
        var bytes = new List<byte>();
        int state = m.Initial;
        var next = new List<(byte B, int S)>();
        while (bytes.Count < 400)
        {
            if (m.IsAccepting(state) && rng.Next(4) == 0) return [.. bytes];
            next.Clear();
            for (int b = 0; b < 256; b++)
            {
                int s = m.Step(state, (byte)b);
                if (s != GrammarMatcher.Dead) next.Add(((byte)b, s));
            }
            if (next.Count == 0) return m.IsAccepting(state) ? [.. bytes] : throw new InvalidOperationException("dead end: " + Encoding.UTF8.GetString([.. bytes]));
            // A random successor state first, then a random byte into it: a loop over "any character" is one choice
            // among the states, so walks reach the pattern's specific parts and finish.
            // Mostly ASCII (multi-byte characters still appear), which keeps walks short.
            if (rng.Next(4) != 0 && next.Exists(x => x.B < 0x80)) next.RemoveAll(x => x.B >= 0x80);
            var states = next.Select(x => x.S).Distinct().ToList();
            int target = states[rng.Next(states.Count)];
            var into = next.FindAll(x => x.S == target);
            var pick = into[rng.Next(into.Count)];
            bytes.Add(pick.B);
            state = pick.S;
        }
        return null;
    }

    private static bool Accepts(GrammarMatcher m, string json)
    {
        int s = m.Step(m.Initial, Encoding.UTF8.GetBytes(json));
        return s != GrammarMatcher.Dead && m.IsAccepting(s);
    }

    [Theory]
    [MemberData(nameof(Patterns))]
    public void Generated_strings_match_the_regex(string pattern)
    {
        var m = new GrammarMatcher(Grammar.Parse(Rule(pattern)));
        var regex = new Regex(pattern, RegexOptions.ECMAScript);
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        var rng = new Random(pattern.Length * 7919);
        int finished = 0;
        for (int i = 0; i < 300; i++)
        {
            if (Walk(m, rng) is not { } bytes) continue;
            finished++;
            string json = strict.GetString(bytes);
            string value = JsonSerializer.Deserialize<string>(json)!;
            Assert.True(regex.IsMatch(value), $"/{pattern}/ does not match {json}");
        }
        Assert.True(finished > 150, $"only {finished} of 300 walks finished");
    }

    [Theory]
    [MemberData(nameof(Patterns))]
    public void Grammar_accepts_exactly_what_the_regex_matches(string pattern)
    {
        var m = new GrammarMatcher(Grammar.Parse(Rule(pattern)));
        var regex = new Regex(pattern, RegexOptions.ECMAScript);
        var rng = new Random(pattern.Length);
        // .NET's $ also matches before a final \n, and its '.' admits \r: leave those strings out.
        const string alphabet = "abcdexyzABCQ019-+.@ _\t\"\\é日";
        var candidates = new List<string>();
        for (int i = 0; i < 300; i++)
        {
            if (Walk(m, rng) is { } bytes)
            {
                string v = JsonSerializer.Deserialize<string>(Encoding.UTF8.GetString(bytes))!;
                candidates.Add(v);
                if (v.Length > 0) candidates.Add(v.Remove(rng.Next(v.Length), 1));
                candidates.Add(v.Insert(rng.Next(v.Length + 1), alphabet[rng.Next(alphabet.Length)].ToString()));
            }
            var sb = new StringBuilder();
            for (int k = rng.Next(8); k > 0; k--) sb.Append(alphabet[rng.Next(alphabet.Length)]);
            candidates.Add(sb.ToString());
        }
        foreach (string v in candidates)
        {
            if (v.EndsWith('\n') || v.Contains('\r', StringComparison.Ordinal)) continue;
            if (v.Any(char.IsSurrogate)) continue; // past U+FFFF only literal characters are produced (see RegexToGbnf)
            string json = Json(v);
            Assert.True(regex.IsMatch(v) == Accepts(m, json), $"/{pattern}/ on {json}: regex {regex.IsMatch(v)}, grammar {!regex.IsMatch(v)}");
        }
    }

    [Theory]
    [InlineData("^ab?$", "\"\\\"\" ( \"a\" ( \"b\" )? ) \"\\\"\"")]
    [InlineData("x", "\"\\\"\" ( char* \"x\" char* ) \"\\\"\"")]
    [InlineData("^[a-c\\d]{2,}$", "\"\\\"\" ( ( [0-9a-c] ){2,} ) \"\\\"\"")]
    [InlineData("^(a|bc)*$", "\"\\\"\" ( ( ( \"a\" | \"b\" \"c\" ) )* ) \"\\\"\"")]
    [InlineData("^[\"\\\\\\n]$", "\"\\\"\" ( ( \"\\\\n\" | \"\\\\\\\"\" | \"\\\\\\\\\" ) ) \"\\\"\"")]
    [InlineData("^é$|^$", "\"\\\"\" ( \"\\u00E9\" | \"\" ) \"\\\"\"")]
    public void Golden_conversions(string pattern, string gbnf) => Assert.Equal(gbnf, RegexToGbnf.Convert(pattern, "char", "#"));

    [Theory]
    [InlineData("^(?=a)b$", "lookahead")]
    [InlineData("^(?<!a)b$", "lookbehind")]
    [InlineData("^(a)\\1$", "backreference")]
    [InlineData("^\\bword$", "word boundary")]
    [InlineData("^\\p{L}+$", "Unicode property")]
    [InlineData("^(?i)a$", "inline flags")]
    [InlineData("^a^b$", "'^' after the start")]
    [InlineData("^a$b", "'$' before the end")]
    [InlineData("^(a$)", "'$' before the end")]
    [InlineData("^*a$", "nothing to repeat")]
    [InlineData("^a**$", "quantifier after a quantifier")]
    [InlineData("^[ab", "without ']'")]
    [InlineData("^(ab", "without ')'")]
    [InlineData("^ab)$", "unmatched ')'")]
    [InlineData("^a{3,1}$", "maximum is below its minimum")]
    [InlineData("^[z-a]$", "out of order")]
    [InlineData("^\\q$", "unknown escape '\\q'")]
    public void Unsupported_regex_features_are_named(string pattern, string feature)
    {
        var e = Assert.Throws<GrammarFormatException>(() => Grammar.FromJsonSchema(JsonSerializer.Serialize(new { type = "string", pattern })));
        Assert.Contains(feature, e.Message);
        Assert.Contains("#/pattern", e.Message);
        Assert.Contains(pattern, e.Message);
    }

    [Fact]
    public void Pattern_with_length_bounds_is_a_clear_error()
    {
        var e = Assert.Throws<GrammarFormatException>(() => Grammar.FromJsonSchema("{\"type\":\"string\",\"pattern\":\"^a+$\",\"maxLength\":3}"));
        Assert.Contains("'maxLength'", e.Message);
    }
}
