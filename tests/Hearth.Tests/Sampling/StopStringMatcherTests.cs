using System.Text;
using Hearth.Sampling;

namespace Hearth.Tests.Sampling;

public class StopStringMatcherTests
{
    private static (string emitted, bool stopped, string? stop) Stream(string[] stops, params string[] pieces)
    {
        var m = new StopStringMatcher(stops);
        var sb = new StringBuilder();
        foreach (var p in pieces)
        {
            sb.Append(m.Push(p));
            if (m.Stopped) return (sb.ToString(), true, m.MatchedStop);
        }
        sb.Append(m.Flush());
        return (sb.ToString(), false, null);
    }

    [Fact]
    public void Stop_within_one_piece_emits_text_before_it()
    {
        Assert.Equal(("Hello ", true, "User:"), Stream(["User:"], "Hello User: more"));
    }

    [Fact]
    public void Stop_split_across_pieces_is_held_back_then_dropped()
    {
        var m = new StopStringMatcher(["</s>"]);
        Assert.Equal("abc", m.Push("abc</"));
        Assert.Equal(2, m.HeldBackLength);
        Assert.Equal("", m.Push("s"));
        Assert.Equal("", m.Push(">tail"));
        Assert.True(m.Stopped);
        Assert.Equal("</s>", m.MatchedStop);
    }

    [Fact]
    public void False_alarm_releases_the_held_text()
    {
        var m = new StopStringMatcher(["</s>"]);
        Assert.Equal("a", m.Push("a</"));
        Assert.Equal("</b", m.Push("b"));
        Assert.False(m.Stopped);
    }

    [Fact]
    public void Stop_spread_over_single_character_pieces()
    {
        Assert.Equal(("x", true, "STOP"), Stream(["STOP"], "x", "S", "T", "O", "P", "y"));
    }

    [Fact]
    public void Overlapping_prefixes_hold_the_longest_possible_tail()
    {
        // "aab": after "aa" the tail "aa" could still become "aab"; after "aaa" only "aa" is held.
        var m = new StopStringMatcher(["aab"]);
        Assert.Equal("", m.Push("aa"));
        Assert.Equal("a", m.Push("a"));
        Assert.Equal("", m.Push("b"));
        Assert.True(m.Stopped);
    }

    [Fact]
    public void Earliest_of_several_stop_strings_wins()
    {
        Assert.Equal(("ab", true, "cd"), Stream(["de", "cd"], "abcdef"));
        Assert.Equal(("", true, "\n\n"), Stream(["###", "\n\n"], "\n", "\n##"));
    }

    [Fact]
    public void No_stop_flushes_everything()
    {
        Assert.Equal(("hello <|end", false, null), Stream(["<|endoftext|>"], "hello ", "<|end"));
    }

    [Fact]
    public void Multi_byte_characters_in_text_and_stop_strings()
    {
        Assert.Equal(("日本", true, "。"), Stream(["。"], "日", "本。", "語"));
        // An emoji stop string (a surrogate pair) split between pieces.
        Assert.Equal(("ok ", true, "🛑"), Stream(["🛑"], "ok \uD83D", "\uDED1 rest"));
    }

    [Fact]
    public void A_high_surrogate_is_never_emitted_without_its_partner()
    {
        var m = new StopStringMatcher(["zz"]);
        Assert.Equal("a", m.Push("a\uD83D"));
        Assert.Equal("\uD83D\uDE00", m.Push("\uDE00"));
    }

    [Fact]
    public void Pushing_after_a_stop_is_a_clear_error_until_reset()
    {
        var m = new StopStringMatcher(["x"]);
        m.Push("x");
        Assert.Throws<InvalidOperationException>(() => m.Push("y"));
        m.Reset();
        Assert.Equal("y", m.Push("y"));
    }

    [Fact]
    public void Empty_stop_string_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => new StopStringMatcher(["ok", ""]));
    }
}
