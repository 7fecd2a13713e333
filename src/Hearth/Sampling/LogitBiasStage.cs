namespace Hearth.Sampling;

/// <summary>Adds a fixed bias to chosen tokens' logits (llama.cpp's <c>llama_sampler_logit_bias</c>).</summary>
internal sealed class LogitBiasStage : ISamplerStage
{
    private readonly int[] _ids;
    private readonly float[] _bias;

    public LogitBiasStage(IReadOnlyDictionary<int, float> bias, int vocabSize)
    {
        _ids = new int[bias.Count];
        _bias = new float[bias.Count];
        int k = 0;
        foreach (var (id, value) in bias)
        {
            if ((uint)id >= (uint)vocabSize)
                throw new ArgumentException($"LogitBias names token {id}, outside the vocabulary [0, {vocabSize}).", nameof(bias));
            if (float.IsNaN(value))
                throw new ArgumentException($"LogitBias for token {id} is NaN.", nameof(bias));
            _ids[k] = id;
            _bias[k] = value;
            k++;
        }
    }

    public void Apply(CandidateBuffer c)
    {
        if (_ids.Length == 0) return;
        if (c.Identity)
        {
            for (int k = 0; k < _ids.Length; k++) c.Logits[_ids[k]] += _bias[k];
        }
        else
        {
            for (int i = 0; i < c.Count; i++)
            {
                int at = Array.IndexOf(_ids, c.Ids[i]);
                if (at >= 0) c.Logits[i] += _bias[at];
            }
        }
        c.Sorted = false;
        c.ProbsValid = false;
    }
}
