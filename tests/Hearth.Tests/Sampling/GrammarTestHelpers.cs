using System.Text;
using Hearth.Sampling;

namespace Hearth.Tests.Sampling;

internal static class GrammarTestHelpers
{
    /// <summary>Whether the whole of <paramref name="text"/> is a sentence of the grammar.</summary>
    public static bool Matches(Grammar g, string text) => Matches(g, Encoding.UTF8.GetBytes(text));

    public static bool Matches(Grammar g, byte[] bytes)
    {
        var m = new GrammarMatcher(g);
        int s = m.Step(m.Initial, bytes);
        return s != GrammarMatcher.Dead && m.IsAccepting(s);
    }

    /// <summary>Whether <paramref name="text"/> can still be continued into a sentence.</summary>
    public static bool IsPrefix(Grammar g, byte[] bytes)
    {
        var m = new GrammarMatcher(g);
        return m.Step(m.Initial, bytes) != GrammarMatcher.Dead;
    }
}
