namespace Hearth.Sampling;

/// <summary>
/// The tokens still in play while the sampler chain runs: ids with their logits and (when computed) probabilities,
/// as llama.cpp's <c>llama_token_data_array</c>. Allocated once per sampler for the whole vocabulary.
/// </summary>
internal sealed class CandidateBuffer
{
    public readonly int[] Ids;       // [capacity]
    public readonly float[] Logits;  // [capacity]
    public readonly float[] Probs;   // [capacity], valid when ProbsValid

    /// <summary>Number of candidates in play (a prefix of the arrays).</summary>
    public int Count;

    /// <summary>Candidates are ordered by descending logit.</summary>
    public bool Sorted;

    /// <summary>Probs holds the softmax of the current logits.</summary>
    public bool ProbsValid;

    /// <summary>Ids[i] == i for every i (the whole vocabulary, in order), so a token's logit is at index id.</summary>
    public bool Identity;

    public CandidateBuffer(int capacity)
    {
        Ids = new int[capacity];
        Logits = new float[capacity];
        Probs = new float[capacity];
    }

    public int Capacity => Ids.Length;

    public Span<int> IdSpan => Ids.AsSpan(0, Count);
    public Span<float> LogitSpan => Logits.AsSpan(0, Count);
    public Span<float> ProbSpan => Probs.AsSpan(0, Count);

    /// <summary>Loads the whole vocabulary's logits in token order.</summary>
    public void Load(ReadOnlySpan<float> logits) // logits: [n_vocab]
    {
        if (logits.Length != Capacity)
            throw new ArgumentException($"Expected {Capacity} logits (the vocabulary size), got {logits.Length}.", nameof(logits));
        logits.CopyTo(Logits);
        for (int i = 0; i < Ids.Length; i++) Ids[i] = i;
        Count = Capacity;
        Sorted = false;
        ProbsValid = false;
        Identity = true;
    }

    /// <summary>Sorts by descending logit (ties keep no particular order).</summary>
    public void SortDescending()
    {
        if (Sorted) return;
        var logits = LogitSpan;
        var ids = IdSpan;
        logits.Sort(ids);
        logits.Reverse();
        ids.Reverse();
        Sorted = true;
        Identity = false;
        ProbsValid = false;
    }

    /// <summary>Sorts and fills Probs with the softmax of the logits (llama.cpp's <c>llama_sampler_softmax_impl</c>).</summary>
    public void Softmax()
    {
        SortDescending();
        if (ProbsValid) return;
        ComputeProbs();
    }

    /// <summary>Fills Probs with the softmax of the logits without reordering.</summary>
    public void ComputeProbs()
    {
        int n = Count;
        if (n == 0) return;
        float max = float.NegativeInfinity;
        for (int i = 0; i < n; i++) if (Logits[i] > max) max = Logits[i];
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            float p = MathF.Exp(Logits[i] - max);
            Probs[i] = p;
            sum += p;
        }
        float inv = (float)(1.0 / sum);
        for (int i = 0; i < n; i++) Probs[i] *= inv;
        ProbsValid = true;
    }

    /// <summary>Keeps only the first <paramref name="count"/> candidates.</summary>
    public void Truncate(int count)
    {
        if (count >= Count) return;
        Count = count;
        Identity = false;
        ProbsValid = false;
    }

    /// <summary>Index of the candidate with the highest logit (the first one on ties).</summary>
    public int ArgMax()
    {
        int best = 0;
        for (int i = 1; i < Count; i++) if (Logits[i] > Logits[best]) best = i;
        return best;
    }
}
