using Hearth.Chat;
using Hearth.Server.Protocol.Responses;

namespace Hearth.Server.Endpoints.Responses;

/// <summary>
/// Finished responses kept in memory for <c>GET /v1/responses/{id}</c> and <c>previous_response_id</c>: at most
/// <see cref="MaxCount"/> (the oldest go first) and none older than <see cref="MaxAge"/>. Nothing survives a restart,
/// and a request with <c>store: false</c> is never kept. Thread-safe.
/// </summary>
internal sealed class ResponseStore(TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Dictionary<string, Stored> _byId = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _order = new(); // oldest first
    private readonly Lock _lock = new();

    /// <summary>Most responses kept.</summary>
    public int MaxCount { get; init; } = 1000;

    /// <summary>How long a response is kept.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromHours(1);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                PruneLocked();
                return _byId.Count;
            }
        }
    }

    /// <summary>Keeps a finished response with the conversation it ends (input and output as chat messages, instructions not included).</summary>
    public void Add(ResponseObject response, IReadOnlyList<ChatTemplateMessage> conversation)
    {
        lock (_lock)
        {
            if (_byId.Remove(response.Id, out var old)) _order.Remove(old.Node);
            var node = _order.AddLast(response.Id);
            _byId[response.Id] = new Stored(response, conversation, _clock.GetUtcNow(), node);
            PruneLocked();
        }
    }

    public Stored? Get(string id)
    {
        lock (_lock)
        {
            PruneLocked();
            return _byId.GetValueOrDefault(id);
        }
    }

    public bool Remove(string id)
    {
        lock (_lock)
        {
            PruneLocked();
            if (!_byId.Remove(id, out var s)) return false;
            _order.Remove(s.Node);
            return true;
        }
    }

    private void PruneLocked()
    {
        var oldest = _clock.GetUtcNow() - MaxAge;
        while (_order.First is { } first && (_byId.Count > MaxCount || _byId[first.Value].StoredAt < oldest))
        {
            _byId.Remove(first.Value);
            _order.RemoveFirst();
        }
    }

    /// <summary>One kept response.</summary>
    internal sealed record Stored(ResponseObject Response, IReadOnlyList<ChatTemplateMessage> Conversation, DateTimeOffset StoredAt, LinkedListNode<string> Node);
}
