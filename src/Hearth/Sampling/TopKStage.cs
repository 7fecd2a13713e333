namespace Hearth.Sampling;

/// <summary>Keeps the K highest logits, sorted descending (llama.cpp's <c>llama_sampler_top_k</c>); K &lt;= 0 is off.</summary>
internal sealed class TopKStage(int k) : ISamplerStage
{
    public void Apply(CandidateBuffer c)
    {
        if (k <= 0) return;
        int keep = Math.Min(k, c.Count);
        if (keep < c.Count && !c.Sorted) SelectTop(c, keep);
        c.Truncate(keep);
        c.SortDescending();
    }

    /// <summary>Moves the <paramref name="keep"/> largest logits to the front in O(n log k): a min-heap of the best so far.</summary>
    private static void SelectTop(CandidateBuffer c, int keep)
    {
        var logits = c.Logits;
        var ids = c.Ids;
        // Heap over indices 0..keep-1 with the smallest logit at the root.
        for (int i = keep / 2 - 1; i >= 0; i--) SiftDown(logits, ids, i, keep);
        for (int i = keep; i < c.Count; i++)
        {
            if (logits[i] > logits[0])
            {
                (logits[0], logits[i]) = (logits[i], logits[0]);
                (ids[0], ids[i]) = (ids[i], ids[0]);
                SiftDown(logits, ids, 0, keep);
            }
        }
        c.Identity = false;
        c.Sorted = false;
        c.ProbsValid = false;
    }

    private static void SiftDown(float[] logits, int[] ids, int i, int n)
    {
        while (true)
        {
            int l = 2 * i + 1, r = l + 1, m = i;
            if (l < n && logits[l] < logits[m]) m = l;
            if (r < n && logits[r] < logits[m]) m = r;
            if (m == i) return;
            (logits[m], logits[i]) = (logits[i], logits[m]);
            (ids[m], ids[i]) = (ids[i], ids[m]);
            i = m;
        }
    }
}
