namespace Hearth.Server.Scheduling;

/// <summary>
/// Stand-in until the engine's sampler chain lands: logit bias and OpenAI's presence/frequency penalties, then argmax
/// (ties to the lowest id). Temperature, top_p and seed are accepted but do not change the choice yet.
/// </summary>
internal sealed class GreedyTokenSampler : ITokenSampler
{
    private readonly SamplingParameters _p;
    private readonly Dictionary<int, int> _counts = [];

    public GreedyTokenSampler(SamplingParameters parameters) => _p = parameters;

    public int Sample(ReadOnlySpan<float> logits)
    {
        bool adjusted = _p.LogitBias is { Count: > 0 } || (_counts.Count > 0 && (_p.PresencePenalty != 0 || _p.FrequencyPenalty != 0));
        int best = -1;
        float bestValue = float.NegativeInfinity;
        for (int i = 0; i < logits.Length; i++)
        {
            float v = logits[i];
            if (adjusted)
            {
                if (_p.LogitBias != null && _p.LogitBias.TryGetValue(i, out float bias)) v += bias;
                if (_counts.TryGetValue(i, out int seen)) v -= _p.PresencePenalty + (seen * _p.FrequencyPenalty);
            }
            if (best < 0 || v > bestValue)
            {
                best = i;
                bestValue = v;
            }
        }
        return best;
    }

    public void Accept(int token) => _counts[token] = _counts.GetValueOrDefault(token) + 1;
}
