namespace Hearth.Sampling;

/// <summary>
/// Locally typical sampling (Meister et al., 2022) as llama.cpp's <c>llama_sampler_typical</c>: rank tokens by
/// |−log p − H| (distance of their surprise from the entropy) and keep the smallest such prefix whose probability
/// mass exceeds P. The kept candidates are left in that ranking order. P &gt;= 1 is off.
/// </summary>
internal sealed class TypicalStage : ISamplerStage
{
    private readonly float _p;
    private readonly int _minKeep;
    private readonly float[] _shift;   // [n_vocab] scratch: |−log p − H| per candidate
    private readonly int[] _order;     // [n_vocab] scratch: candidate indices by ascending shift
    private readonly int[] _ids;       // [n_vocab] scratch for the reordered ids
    private readonly float[] _logits;  // [n_vocab] scratch for the reordered logits

    public TypicalStage(float p, int vocabSize, int minKeep = 1)
    {
        _p = p;
        _minKeep = minKeep;
        if (p < 1f)
        {
            _shift = new float[vocabSize];
            _order = new int[vocabSize];
            _ids = new int[vocabSize];
            _logits = new float[vocabSize];
        }
        else
        {
            _shift = [];
            _order = [];
            _ids = [];
            _logits = [];
        }
    }

    public void Apply(CandidateBuffer c)
    {
        if (_p >= 1f || c.Count == 0) return;
        c.Softmax();
        int n = c.Count;
        double entropy = 0;
        for (int i = 0; i < n; i++)
        {
            float p = c.Probs[i];
            if (p > 0) entropy -= p * Math.Log(p);
        }
        for (int i = 0; i < n; i++)
        {
            _shift[i] = (float)Math.Abs(-Math.Log(c.Probs[i]) - entropy);
            _order[i] = i;
        }
        _shift.AsSpan(0, n).Sort(_order.AsSpan(0, n));

        float cum = 0;
        int last = n;
        for (int i = 0; i < n; i++)
        {
            cum += c.Probs[_order[i]];
            if (cum > _p && i >= _minKeep - 1)
            {
                last = i + 1;
                break;
            }
        }
        for (int i = 0; i < last; i++)
        {
            _ids[i] = c.Ids[_order[i]];
            _logits[i] = c.Logits[_order[i]];
        }
        _ids.AsSpan(0, last).CopyTo(c.Ids);
        _logits.AsSpan(0, last).CopyTo(c.Logits);
        c.Count = last;
        c.Sorted = false;
        c.Identity = false;
        c.ProbsValid = false;
    }
}
