using Hearth.Inference;

namespace Hearth.AI;

/// <summary>
/// Up to N sessions shared by concurrent requests. A request takes the idle session whose cache shares the longest
/// prefix with its prompt (or the one that last served its conversation id), so a conversation's next turn finds its
/// history already evaluated; a request waits while every session is busy.
/// </summary>
internal sealed class SessionPool : IDisposable
{
    private readonly Model _model;
    private readonly int _contextSize;
    private readonly int _max;
    private readonly SemaphoreSlim _free;
    private readonly List<Entry> _idle = [];
    private readonly object _gate = new();
    private int _created;

    public SessionPool(Model model, int maxSessions, int contextSize)
    {
        if (maxSessions < 1) throw new ArgumentOutOfRangeException(nameof(maxSessions), maxSessions, "MaxSessions must be at least 1.");
        _model = model;
        _max = maxSessions;
        _contextSize = contextSize;
        _free = new SemaphoreSlim(maxSessions, maxSessions);
    }

    internal sealed class Entry(InferenceSession session)
    {
        public InferenceSession Session { get; } = session;

        public string? ConversationId { get; set; }
    }

    public async Task<Entry> RentAsync(int[] prompt, string? conversationId, CancellationToken cancellationToken)
    {
        await _free.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            Entry? best = null;
            int bestLength = -1;
            foreach (var e in _idle)
            {
                int length = conversationId != null && e.ConversationId == conversationId
                    ? int.MaxValue
                    : e.Session.Tokens.CommonPrefixLength(prompt);
                if (length > bestLength)
                {
                    best = e;
                    bestLength = length;
                }
            }
            // A fresh session keeps the idle ones' caches for their own conversations.
            if ((best == null || bestLength == 0) && _created < _max)
            {
                _created++;
                return new Entry(_model.CreateSession(_contextSize));
            }
            _idle.Remove(best!);
            return best!;
        }
    }

    public void Return(Entry entry)
    {
        lock (_gate) _idle.Add(entry);
        _free.Release();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var e in _idle) e.Session.Dispose();
            _idle.Clear();
        }
        _free.Dispose();
    }
}
