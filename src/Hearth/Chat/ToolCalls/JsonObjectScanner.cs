namespace Hearth.Chat.ToolCalls;

/// <summary>
/// Finds where a JSON object or array ends in text that arrives in pieces, by tracking nesting and strings only
/// (validity is checked once it is complete). Feed it the same growing text again; it resumes where it stopped.
/// </summary>
internal struct JsonObjectScanner
{
    private int _next;     // next index to look at; 0 = not started
    private int _depth;
    private bool _inString;
    private bool _escape;

    /// <summary>Scans <paramref name="s"/> from <paramref name="start"/> (the opening bracket) or from where it stopped; returns the index just past the value, or -1 if it is not complete yet.</summary>
    public int Feed(string s, int start)
    {
        if (_next < start) _next = start;
        for (int i = _next; i < s.Length; i++)
        {
            char c = s[i];
            if (_inString)
            {
                if (_escape) _escape = false;
                else if (c == '\\') _escape = true;
                else if (c == '"') _inString = false;
                continue;
            }
            switch (c)
            {
                case '"':
                    _inString = true;
                    break;
                case '{' or '[':
                    _depth++;
                    break;
                case '}' or ']':
                    if (--_depth == 0)
                    {
                        _next = i + 1;
                        return i + 1;
                    }
                    break;
            }
        }
        _next = s.Length;
        return -1;
    }

    /// <summary>Moves the resume point when the text before it is dropped.</summary>
    public void Shift(int removed) => _next = Math.Max(0, _next - removed);
}
