using Hearth.Models;

namespace Hearth.Inference;

/// <summary>
/// Copies of a session's <see cref="RecurrentState"/> at earlier positions, so that a new prompt sharing a prefix with
/// what the session holds (the next chat turn, a regenerated answer) resumes from the longest checkpoint inside that
/// prefix instead of processing the whole conversation again — a recurrent state cannot be cut back the way a KV cache
/// is (llama-server calls these "context checkpoints").
/// </summary>
/// <remarks>
/// Policy: the session takes a checkpoint after each forward batch of a multi-token evaluation — every
/// <see cref="ModelOptions.BatchSize"/> tokens of a prompt and at its end; single decoded tokens take none. At most <see cref="Capacity"/> are kept (the
/// oldest is replaced), each <see cref="RecurrentState.ByteSize"/> bytes, allocated the first time it is needed and
/// reused afterwards. Rewinding drops the checkpoints past the new position (they describe tokens that are gone).
/// </remarks>
internal sealed class RecurrentCheckpoints
{
    private readonly ModelConfig _config;
    private readonly RecurrentState?[] _states;
    private readonly bool[] _valid;
    private readonly long[] _stamp;  // when each slot was written: the smallest is the oldest
    private long _clock;

    public RecurrentCheckpoints(ModelConfig config, int capacity)
    {
        _config = config;
        Capacity = Math.Max(0, capacity);
        _states = new RecurrentState?[Capacity];
        _valid = new bool[Capacity];
        _stamp = new long[Capacity];
    }

    public int Capacity { get; }

    /// <summary>Checkpoints currently held.</summary>
    public int Count
    {
        get
        {
            int n = 0;
            foreach (bool v in _valid) n += v ? 1 : 0;
            return n;
        }
    }

    /// <summary>Bytes the allocated checkpoint slots hold.</summary>
    public long ByteSize
    {
        get
        {
            long bytes = 0;
            foreach (var s in _states) bytes += s?.ByteSize ?? 0;
            return bytes;
        }
    }

    /// <summary>Stores a copy of <paramref name="state"/> (at its position), replacing the oldest when full.</summary>
    public void Save(RecurrentState state)
    {
        if (Capacity == 0 || state.Position == 0) return;
        for (int i = 0; i < Capacity; i++)
        {
            if (_valid[i] && _states[i]!.Position == state.Position)
            {
                _states[i]!.CopyFrom(state);
                _stamp[i] = ++_clock;
                return;
            }
        }
        // A free slot first (rewinding frees some), else the oldest.
        int slot = Array.IndexOf(_valid, false);
        if (slot < 0)
        {
            slot = 0;
            for (int i = 1; i < Capacity; i++)
            {
                if (_stamp[i] < _stamp[slot]) slot = i;
            }
        }
        _stamp[slot] = ++_clock;
        _states[slot] ??= new RecurrentState(_config);
        _states[slot]!.CopyFrom(state);
        _valid[slot] = true;
    }

    /// <summary>The checkpoint with the largest position not above <paramref name="position"/>, or null.</summary>
    public RecurrentState? Best(int position)
    {
        RecurrentState? best = null;
        for (int i = 0; i < Capacity; i++)
        {
            if (!_valid[i]) continue;
            var s = _states[i]!;
            if (s.Position <= position && (best is null || s.Position > best.Position)) best = s;
        }
        return best;
    }

    /// <summary>Drops the checkpoints past <paramref name="position"/>.</summary>
    public void DropAfter(int position)
    {
        for (int i = 0; i < Capacity; i++)
        {
            if (_valid[i] && _states[i]!.Position > position) _valid[i] = false;
        }
    }
}
