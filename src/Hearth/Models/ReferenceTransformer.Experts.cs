namespace Hearth.Models;

/// <summary>Mixture of experts, one token at a time, as the DeepSeek-V2/V3 papers describe the routing.</summary>
internal sealed partial class ReferenceTransformer
{
    // probs = softmax or sigmoid of the router logits; experts are chosen by probs + selection bias (V3), within the best
    // groups when routing is group-limited (a group's score is the sum of its two best); each chosen expert counts with
    // its unbiased probability (optionally normalised over the chosen ones, then scaled, then by the expert's own output
    // scale). Shared experts always run. The router reads routerInput when given (Gemma 4), else xb.
    private float[] Experts(ExpertWeights e, float[] xb, float[]? routerInput = null)
    {
        var c = _c;
        int n = c.ExpertCount;
        var logits = MatVec(e.Router, routerInput ?? xb, e.RouterBias);
        var probs = new float[n];
        if (c.ExpertGating == ExpertGating.SoftmaxWeight)
        {
            // gpt-oss: the logits choose; their softmax over the chosen ones weighs (below).
            Array.Copy(logits, probs, n);
        }
        else if (c.ExpertGating == ExpertGating.Sigmoid)
        {
            for (int i = 0; i < n; i++) probs[i] = 1 / (1 + MathF.Exp(-logits[i]));
        }
        else
        {
            float max = logits.Max();
            double sum = 0;
            for (int i = 0; i < n; i++) sum += Math.Exp(logits[i] - max);
            for (int i = 0; i < n; i++) probs[i] = (float)(Math.Exp(logits[i] - max) / sum);
        }
        var choice = new float[n];
        for (int i = 0; i < n; i++) choice[i] = probs[i] + (e.SelectionBias?[i] ?? 0);
        if (c.ExpertGroupCount > 1)
        {
            int per = n / c.ExpertGroupCount;
            var keep = Enumerable.Range(0, c.ExpertGroupCount)
                .OrderByDescending(g => choice.Skip(g * per).Take(per).OrderDescending().Take(2).Sum())
                .Take(c.ExpertGroupUsedCount).ToHashSet();
            for (int i = 0; i < n; i++)
            {
                if (!keep.Contains(i / per)) choice[i] = float.NegativeInfinity;
            }
        }
        // Best first; equal values keep the lower index first (the sort is stable).
        int[] chosen = Enumerable.Range(0, n).OrderByDescending(i => choice[i]).Take(c.ExpertUsedCount).ToArray();
        var weight = chosen.Select(i => probs[i]).ToArray();
        if (c.ExpertGating == ExpertGating.SoftmaxWeight)
        {
            float top = weight.Max();
            double z = weight.Sum(w => Math.Exp(w - top));
            weight = weight.Select(w => (float)(Math.Exp(w - top) / z)).ToArray();
        }
        float total = MathF.Max(weight.Sum(), 6.103515625e-5f); // llama.cpp's clamp (F16's smallest normal)
        for (int s = 0; s < weight.Length; s++) weight[s] = (c.ExpertWeightsNorm ? weight[s] / total : weight[s]) * c.ExpertWeightsScale;

        var output = new float[c.EmbeddingLength];
        for (int s = 0; s < chosen.Length; s++)
        {
            int x = chosen[s];
            var y = FeedForward(e.Gate[x], e.Up[x], e.Down[x], xb, e.GateBias?[x], e.UpBias?[x], e.DownBias?[x]);
            float wx = weight[s] * (e.DownScale?[x] ?? 1f);
            for (int i = 0; i < output.Length; i++) output[i] += wx * y[i];
        }
        if (e.SharedGate != null)
        {
            var y = FeedForward(e.SharedGate, e.SharedUp!, e.SharedDown!, xb);
            float gate = 1;
            if (e.SharedExpertGate != null)
            {
                float dot = 0;
                for (int i = 0; i < xb.Length; i++) dot += e.SharedExpertGate[i] * xb[i];
                gate = 1 / (1 + MathF.Exp(-dot));
            }
            for (int i = 0; i < output.Length; i++) output[i] += gate * y[i];
        }
        return output;
    }
}
