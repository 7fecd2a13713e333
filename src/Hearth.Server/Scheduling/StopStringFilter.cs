using System.Text;

namespace Hearth.Server.Scheduling;

/// <summary>
/// Holds back generated text that could be the start of a stop string, so a stop string is never streamed to the
/// client; once one appears, the text before it is released and generation ends.
/// </summary>
internal sealed class StopStringFilter
{
    private readonly IReadOnlyList<string> _stops;
    private readonly StringBuilder _pending = new();

    public StopStringFilter(IReadOnlyList<string> stops) => _stops = stops;

    public bool Stopped { get; private set; }

    /// <summary>Adds <paramref name="piece"/> and returns the text that is now safe to emit.</summary>
    public string Push(string piece)
    {
        if (Stopped) return string.Empty;
        if (_stops.Count == 0) return piece;
        _pending.Append(piece);
        string text = _pending.ToString();
        int first = -1;
        foreach (string s in _stops)
        {
            int at = text.IndexOf(s, StringComparison.Ordinal);
            if (at >= 0 && (first < 0 || at < first)) first = at;
        }
        if (first >= 0)
        {
            Stopped = true;
            _pending.Clear();
            return text[..first];
        }
        // Keep the longest tail that is a proper prefix of some stop string.
        int hold = 0;
        foreach (string s in _stops)
        {
            for (int len = Math.Min(s.Length - 1, text.Length); len > hold; len--)
            {
                if (text.AsSpan(text.Length - len).SequenceEqual(s.AsSpan(0, len)))
                {
                    hold = len;
                    break;
                }
            }
        }
        _pending.Clear();
        _pending.Append(text, text.Length - hold, hold);
        return text[..(text.Length - hold)];
    }

    /// <summary>The held-back text at the end of generation (it did not become a stop string).</summary>
    public string Flush()
    {
        string rest = Stopped ? string.Empty : _pending.ToString();
        _pending.Clear();
        return rest;
    }
}
