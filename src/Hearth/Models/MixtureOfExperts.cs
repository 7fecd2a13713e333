using System.Numerics.Tensors;
using Hearth.Inference;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// A mixture-of-experts feed-forward as llama.cpp's build_moe_ffn computes it: router logits (+ bias) → probabilities
/// (softmax or sigmoid; or, for gpt-oss, the logits choose and a softmax over the chosen ones weighs them); the experts are chosen on the probabilities plus an optional selection bias (DeepSeek-V3), optionally only
/// from the best groups (group score = sum of its two best); each chosen expert's weight is its unbiased probability,
/// optionally divided by the chosen ones' sum and multiplied by a scale; output = Σ weight · gated expert (with per-expert
/// biases where the file has them) + shared experts. Gemma 4 runs it beside a dense feed-forward
/// (<see cref="ForwardBesideDense"/>) with a per-expert output scale. Tokens are grouped by expert, so each selected expert's matrices are read once per batch (a GEMM over its
/// tokens) and unselected experts are never touched.
/// </summary>
internal sealed class MixtureOfExperts
{
    private readonly Transformer _model;
    private readonly ModelConfig _c;
    private readonly float[] _selection;   // [n_expert] scratch: the values experts are chosen by
    private readonly float[] _groupScore;  // [n_group]

    public MixtureOfExperts(Transformer model)
    {
        _model = model;
        _c = model.Config;
        _selection = new float[_c.ExpertCount];
        _groupScore = new float[Math.Max(1, _c.ExpertGroupCount)];
    }

    /// <summary>
    /// Gemma 4's expert block: the dense feed-forward of Xb (ffn_norm of the residual X) normed by post_ffw_norm_1, plus
    /// the experts over pre_ffw_norm_2(X) routed by rms_norm(X) · gate_inp.scale / sqrt(n_embd), normed by
    /// post_ffw_norm_2; the sum lands in Xb.
    /// </summary>
    public void ForwardBesideDense(LayerWeights L, int n, ForwardBuffers buf, WorkerPool pool)
    {
        var e = L.Experts!;
        var rows = _model.Rows;
        int d = _c.EmbeddingLength;
        float eps = _c.RmsNormEps;
        _model.FeedForward(L.Gate!, L.Up!, L.Down!, buf.Xb, n, buf.Xb, buf, pool);
        rows.RmsNorm(pool, buf.Xb, e.DensePostNorm!, eps, buf.DenseOut, n, d);
        rows.RmsNorm(pool, buf.X, e.RouterNorm!, eps, buf.RouterInput, n, d);
        rows.RmsNorm(pool, buf.X, e.PreNorm!, eps, buf.Xb, n, d);
        Forward(e, n, buf, pool, buf.RouterInput);
        rows.RmsNorm(pool, buf.Xb, e.PostNorm!, eps, buf.Xb, n, d);
        rows.Add(pool, buf.Xb, buf.DenseOut, n, d);
    }

    /// <summary>Feed-forward of <paramref name="n"/> tokens: input in Xb (normed), output into Xb. The router reads
    /// <paramref name="routerInput"/> when given, else Xb.</summary>
    public void Forward(ExpertWeights e, int n, ForwardBuffers buf, WorkerPool pool, float[]? routerInput = null)
    {
        var c = _c;
        int d = c.EmbeddingLength, used = c.ExpertUsedCount;
        _model.Linear(e.Router, routerInput ?? buf.Xb, n, buf.RouterLogits, buf, pool);
        if (e.RouterBias != null)
        {
            for (int t = 0; t < n; t++) TensorPrimitives.Add(buf.RouterLogits.AsSpan(t * c.ExpertCount, c.ExpertCount), e.RouterBias, buf.RouterLogits.AsSpan(t * c.ExpertCount, c.ExpertCount));
        }
        for (int t = 0; t < n; t++) Route(e, buf.RouterLogits.AsSpan(t * c.ExpertCount, c.ExpertCount), buf.ExpertIds.AsSpan(t * used, used), buf.ExpertWeights.AsSpan(t * used, used));

        var sum = buf.MoeSum.AsSpan(0, n * d);
        sum.Clear();
        for (int x = 0; x < c.ExpertCount; x++)
        {
            int count = 0;
            for (int t = 0; t < n; t++)
            {
                for (int s = 0; s < used; s++)
                {
                    if (buf.ExpertIds[t * used + s] != x) continue;
                    buf.ExpertTokens[count] = t;
                    buf.ExpertSlots[count] = s;
                    buf.Xb.AsSpan(t * d, d).CopyTo(buf.ExpertInput.AsSpan(count * d, d));
                    count++;
                }
            }
            if (count == 0) continue;
            _model.FeedForward(e.Gate[x], e.Up[x], e.Down[x], buf.ExpertInput, count, buf.ExpertOutput, buf, pool,
                e.GateBias?[x], e.UpBias?[x], e.DownBias?[x]);
            for (int i = 0; i < count; i++)
            {
                int t = buf.ExpertTokens[i];
                float weight = buf.ExpertWeights[t * used + buf.ExpertSlots[i]];
                if (e.DownScale != null) weight *= e.DownScale[x];
                var acc = sum.Slice(t * d, d);
                TensorPrimitives.MultiplyAdd(buf.ExpertOutput.AsSpan(i * d, d), weight, acc, acc);
            }
        }

        if (e.SharedGate != null)
        {
            // Qwen3.5-MoE scales the shared expert by sigmoid(w · x), one gate per token.
            if (e.SharedExpertGate != null)
            {
                for (int t = 0; t < n; t++) buf.SharedExpertGate[t] = 1f / (1f + MathF.Exp(-TensorPrimitives.Dot(buf.Xb.AsSpan(t * d, d), e.SharedExpertGate)));
            }
            _model.FeedForward(e.SharedGate, e.SharedUp!, e.SharedDown!, buf.Xb, n, buf.Xb, buf, pool);
            if (e.SharedExpertGate != null)
            {
                for (int t = 0; t < n; t++) TensorPrimitives.Multiply(buf.Xb.AsSpan(t * d, d), buf.SharedExpertGate[t], buf.Xb.AsSpan(t * d, d));
            }
            TensorPrimitives.Add(buf.Xb.AsSpan(0, n * d), sum, buf.Xb.AsSpan(0, n * d));
        }
        else
        {
            sum.CopyTo(buf.Xb);
        }
    }

    // Chooses one token's experts and their weights from its router logits (overwritten with the probabilities).
    private void Route(ExpertWeights e, Span<float> probs, Span<int> ids, Span<float> weights)
    {
        var c = _c;
        if (c.ExpertGating == ExpertGating.Sigmoid)
        {
            for (int i = 0; i < probs.Length; i++) probs[i] = 1.0f / (1.0f + MathF.Exp(-probs[i]));
        }
        else if (c.ExpertGating == ExpertGating.Softmax)
        {
            VectorOps.Softmax(probs);
        }
        // SoftmaxWeight: the logits themselves choose; the chosen ones' softmax weighs them (below).
        var sel = _selection.AsSpan(0, probs.Length);
        probs.CopyTo(sel);
        if (e.SelectionBias != null) TensorPrimitives.Add(sel, e.SelectionBias, sel);
        if (c.ExpertGroupCount > 1) MaskGroups(sel);

        for (int s = 0; s < ids.Length; s++)
        {
            int best = -1;
            for (int i = 0; i < sel.Length; i++)
            {
                if (best < 0 || sel[i] > sel[best]) best = i;
            }
            ids[s] = best;
            weights[s] = probs[best];
            sel[best] = float.NegativeInfinity;
        }
        if (c.ExpertGating == ExpertGating.SoftmaxWeight) VectorOps.Softmax(weights);
        if (c.ExpertWeightsNorm)
        {
            // llama.cpp clamps the sum to F16's smallest normal before dividing.
            float total = MathF.Max(TensorPrimitives.Sum(weights), 6.103515625e-5f);
            TensorPrimitives.Divide(weights, total, weights);
        }
        if (c.ExpertWeightsScale != 1f) TensorPrimitives.Multiply(weights, c.ExpertWeightsScale, weights);
    }

    // Group-limited routing: keep the experts of the expert_group_used_count groups whose two best scores sum highest.
    private void MaskGroups(Span<float> sel)
    {
        int groups = _c.ExpertGroupCount, per = sel.Length / groups;
        var score = _groupScore.AsSpan(0, groups);
        for (int g = 0; g < groups; g++)
        {
            float a = float.NegativeInfinity, b = float.NegativeInfinity;
            foreach (float v in sel.Slice(g * per, per))
            {
                if (v > a) { b = a; a = v; }
                else if (v > b) b = v;
            }
            score[g] = a + b;
        }
        for (int k = 0; k < _c.ExpertGroupUsedCount; k++)
        {
            int best = -1;
            for (int g = 0; g < groups; g++)
            {
                if (!float.IsNaN(score[g]) && (best < 0 || score[g] > score[best])) best = g;
            }
            score[best] = float.NaN; // marks a kept group
        }
        for (int g = 0; g < groups; g++)
        {
            if (!float.IsNaN(score[g])) sel.Slice(g * per, per).Fill(float.NegativeInfinity);
        }
    }
}
