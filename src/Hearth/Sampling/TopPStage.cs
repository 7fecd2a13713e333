namespace Hearth.Sampling;

/// <summary>
/// Nucleus sampling as llama.cpp's <c>llama_sampler_top_p</c>: keep the smallest prefix of the sorted candidates
/// whose cumulative probability reaches P (at least <c>minKeep</c>); P &gt;= 1 is off.
/// </summary>
internal sealed class TopPStage(float p, int minKeep = 1) : ISamplerStage
{
    public void Apply(CandidateBuffer c)
    {
        if (p >= 1f || c.Count == 0) return;
        c.Softmax();
        float cum = 0;
        int last = c.Count;
        for (int i = 0; i < c.Count; i++)
        {
            cum += c.Probs[i];
            if (cum >= p && i + 1 >= minKeep)
            {
                last = i + 1;
                break;
            }
        }
        c.Truncate(last);
    }
}
