namespace Hearth.Sampling;

/// <summary>
/// Min-p as llama.cpp's <c>llama_sampler_min_p</c>: keep tokens with p &gt;= P·p_max, i.e. logit &gt;= max_logit + ln P,
/// preserving order (at least <c>minKeep</c>); P &lt;= 0 is off.
/// </summary>
internal sealed class MinPStage(float p, int minKeep = 1) : ISamplerStage
{
    public void Apply(CandidateBuffer c)
    {
        if (p <= 0f || c.Count == 0) return;
        float max = c.Logits[c.ArgMax()];
        float min = max + MathF.Log(p);
        int kept = 0;
        for (int i = 0; i < c.Count; i++)
            if (c.Logits[i] >= min) kept++;
        if (kept < minKeep) return; // as llama.cpp: too few survive, leave the candidates alone
        if (kept == c.Count) return;
        int w = 0;
        for (int i = 0; i < c.Count; i++)
        {
            if (c.Logits[i] >= min)
            {
                c.Logits[w] = c.Logits[i];
                c.Ids[w] = c.Ids[i];
                w++;
            }
        }
        // Filtering keeps the order, so a sorted buffer stays sorted.
        bool sorted = c.Sorted;
        c.Truncate(w);
        c.Sorted = sorted;
    }
}
