namespace Hearth.Sampling;

/// <summary>
/// Repetition, presence and frequency penalties over the last N accepted tokens, as llama.cpp's
/// <c>llama_sampler_penalties</c>: a seen token's logit is divided by the repeat penalty when positive
/// (multiplied when not), then count·frequency + presence is subtracted.
/// </summary>
internal sealed class PenaltyStage : ISamplerStage
{
    private readonly float _repeat, _frequency, _presence;
    private readonly int _lastN; // -1: everything since Reset
    private readonly int[] _counts;   // [n_vocab] occurrences in the window
    private readonly int[] _distinct; // tokens with a non-zero count, in no particular order
    private readonly int[] _slot;     // [n_vocab] position of a token in _distinct, or -1
    private int _distinctCount;
    private readonly int[] _ring;     // [lastN] the window, oldest overwritten first
    private int _ringHead, _ringCount;

    public PenaltyStage(int vocabSize, int lastN, float repeat, float frequency, float presence)
    {
        if (lastN < -1)
            throw new ArgumentOutOfRangeException(nameof(lastN), lastN, "PenaltyLastN must be -1 (whole context), 0 (off) or a positive window size.");
        _lastN = lastN;
        _repeat = repeat;
        _frequency = frequency;
        _presence = presence;
        _counts = new int[vocabSize];
        _distinct = new int[vocabSize];
        _slot = new int[vocabSize];
        Array.Fill(_slot, -1);
        _ring = new int[Math.Max(lastN, 0)];
    }

    public static bool IsActive(SamplerOptions o) =>
        o.PenaltyLastN != 0 && (o.RepeatPenalty != 1f || o.FrequencyPenalty != 0f || o.PresencePenalty != 0f);

    public void Apply(CandidateBuffer c)
    {
        if (_distinctCount == 0) return;
        if (c.Identity)
        {
            for (int k = 0; k < _distinctCount; k++)
            {
                int id = _distinct[k];
                c.Logits[id] = Penalize(c.Logits[id], _counts[id]);
            }
        }
        else
        {
            for (int i = 0; i < c.Count; i++)
            {
                int n = _counts[c.Ids[i]];
                if (n > 0) c.Logits[i] = Penalize(c.Logits[i], n);
            }
        }
        c.Sorted = false;
        c.ProbsValid = false;
    }

    private float Penalize(float logit, int count)
    {
        logit = logit <= 0 ? logit * _repeat : logit / _repeat;
        return logit - count * _frequency - _presence;
    }

    public void Accept(int token)
    {
        if ((uint)token >= (uint)_counts.Length)
            throw new ArgumentOutOfRangeException(nameof(token), token, $"Token id must be in [0, {_counts.Length}).");
        if (_lastN == 0) return;
        if (_lastN > 0)
        {
            if (_ringCount == _lastN)
            {
                Decrement(_ring[_ringHead]);
                _ringCount--;
            }
            _ring[_ringHead] = token;
            _ringHead = (_ringHead + 1) % _lastN;
            _ringCount++;
        }
        Increment(token);
    }

    private void Increment(int token)
    {
        if (_counts[token]++ == 0)
        {
            _slot[token] = _distinctCount;
            _distinct[_distinctCount++] = token;
        }
    }

    private void Decrement(int token)
    {
        if (--_counts[token] == 0)
        {
            int at = _slot[token];
            int last = _distinct[--_distinctCount];
            _distinct[at] = last;
            _slot[last] = at;
            _slot[token] = -1;
        }
    }

    public void Reset()
    {
        for (int k = 0; k < _distinctCount; k++)
        {
            _counts[_distinct[k]] = 0;
            _slot[_distinct[k]] = -1;
        }
        _distinctCount = 0;
        _ringHead = 0;
        _ringCount = 0;
    }
}
