using System.Text;

namespace Hearth.Sampling;

/// <summary>
/// Finds stop strings in streamed text. Each <see cref="Push"/> returns the text that is safe to show now and holds
/// back the longest tail that could still grow into a stop string; when one completes, the text before it is
/// returned, the stop string itself is not, and <see cref="Stopped"/> turns true. Call <see cref="Flush"/> when
/// generation ends for another reason to release the held-back tail.
/// </summary>
internal sealed class StopStringMatcher
{
    private readonly string[] _stops;
    private readonly int _longest;
    private readonly StringBuilder _pending = new();

    public StopStringMatcher(IEnumerable<string> stopStrings)
    {
        ArgumentNullException.ThrowIfNull(stopStrings);
        _stops = [.. stopStrings];
        foreach (var s in _stops)
        {
            if (string.IsNullOrEmpty(s))
                throw new ArgumentException("Stop strings must not be null or empty.", nameof(stopStrings));
            _longest = Math.Max(_longest, s.Length);
        }
    }

    /// <summary>True once a stop string has been seen; further text is ignored.</summary>
    public bool Stopped { get; private set; }

    /// <summary>The stop string that ended the text, or null.</summary>
    public string? MatchedStop { get; private set; }

    /// <summary>Number of characters currently held back.</summary>
    public int HeldBackLength => _pending.Length;

    /// <summary>Adds a piece of generated text and returns what can be emitted now (possibly empty).</summary>
    public string Push(string piece)
    {
        ArgumentNullException.ThrowIfNull(piece);
        if (Stopped)
            throw new InvalidOperationException($"A stop string (\"{MatchedStop}\") was already matched; call Reset before pushing more text.");
        _pending.Append(piece);
        string text = _pending.ToString();

        // The earliest occurrence of any stop string ends the text.
        int at = -1;
        string? which = null;
        foreach (var s in _stops)
        {
            int i = text.IndexOf(s, StringComparison.Ordinal);
            if (i >= 0 && (at < 0 || i < at))
            {
                at = i;
                which = s;
            }
        }
        if (which != null)
        {
            Stopped = true;
            MatchedStop = which;
            _pending.Clear();
            return text[..at];
        }

        int hold = HoldBack(text);
        int emit = text.Length - hold;
        // Never split a surrogate pair: a high surrogate waits for its partner.
        if (emit > 0 && char.IsHighSurrogate(text[emit - 1])) emit--;
        _pending.Clear();
        _pending.Append(text, emit, text.Length - emit);
        return text[..emit];
    }

    /// <summary>Generation ended without a stop string: returns the held-back text.</summary>
    public string Flush()
    {
        string rest = _pending.ToString();
        _pending.Clear();
        return rest;
    }

    /// <summary>Starts over for a new generation.</summary>
    public void Reset()
    {
        _pending.Clear();
        Stopped = false;
        MatchedStop = null;
    }

    /// <summary>Length of the longest suffix of <paramref name="text"/> that is a proper prefix of a stop string.</summary>
    private int HoldBack(string text)
    {
        for (int h = Math.Min(text.Length, _longest - 1); h > 0; h--)
        {
            var tail = text.AsSpan(text.Length - h);
            foreach (var s in _stops)
                if (s.Length > h && s.AsSpan().StartsWith(tail, StringComparison.Ordinal)) return h;
        }
        return 0;
    }
}
