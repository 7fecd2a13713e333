namespace Hearth.Models;

/// <summary>
/// Multi-head latent attention in the form the DeepSeek-V2 paper writes it: every cached latent is decompressed into
/// full per-head keys and values, then ordinary multi-head attention runs. The fast <see cref="LatentAttention"/>
/// never decompresses (it folds the key decompression into the query and attends in latent space); both must agree.
/// </summary>
internal sealed partial class ReferenceTransformer
{
    // Per head h (nope = key width − rope width, r = kv_lora_rank):
    //   q_h   = [q_nope_h, rope(q_pe_h)]         from attn_q, or attn_q_b · rmsnorm(attn_q_a · x)
    //   [c, k_pe] = attn_kv_a_mqa · x;  c = rmsnorm(c);  k_pe = rope(k_pe)   (k_pe is shared by all heads)
    //   k_h   = [W_UK[h] · c, k_pe],  v_h = W_UV[h] · c
    //   out_h = softmax(q_h · K_h · scale) · V_h, scale = mscale² / sqrt(key width)
    private float[] LatentAttention(int l, LatentAttentionWeights w, float[] xb, int pos)
    {
        var c = _c;
        int heads = c.HeadCount, r = c.KvLoraRank, rope = c.RopeDimensionCount, kd = c.MlaKeyDim, nope = kd - rope, vd = c.MlaValueDim;
        float[] q = w.Wq != null ? MatVec(w.Wq, xb, null) : MatVec(w.WqB!, Norm(MatVec(w.WqA!, xb, null), w.QANorm!), null); // [heads * kd]
        var kvA = MatVec(w.WkvA, xb, null);                      // [r + rope]
        var latent = Norm(kvA[..r], w.KvANorm);                  // [r]
        var kPe = kvA[r..];                                      // [rope]
        _rope.Apply(kPe, 1, rope, pos);

        var k = new float[heads * kd];
        var v = new float[heads * vd];
        var row = new float[Math.Max(r, nope)];
        for (int h = 0; h < heads; h++)
        {
            _rope.Apply(q.AsSpan(h * kd + nope, rope), 1, rope, pos);
            var kb = w.KAbsorb[h];
            if (w.KAbsorbTransposed)
            {
                // Fused attn_kv_b: the head's key rows take the latent as input.
                for (int i = 0; i < nope; i++)
                {
                    kb.DequantizeRow(i, row);
                    for (int j = 0; j < r; j++) k[h * kd + i] += row[j] * latent[j];
                }
            }
            else
            {
                // Split attn_k_b holds W_UK transposed: row j (a latent dim) lists its weight for every no-rope key dim.
                for (int j = 0; j < r; j++)
                {
                    kb.DequantizeRow(j, row);
                    for (int i = 0; i < nope; i++) k[h * kd + i] += row[i] * latent[j];
                }
            }
            Array.Copy(kPe, 0, k, h * kd + nope, rope);
            MatVec(w.VDecompress[h], latent, null).CopyTo(v, h * vd);
        }
        return Attend(l, q, k, v, heads, heads, kd, vd, pos, 0, LatentScale(kd));
    }

    // DeepSeek-V2's softmax scale: 1/sqrt(key width), times mscale² under YaRN, mscale = 1 + 0.1 · mscale_all_dim · ln(factor)
    // (the YaRN paper's attention temperature; the rope itself keeps unit magnitude for these models).
    private float LatentScale(int keyDim)
    {
        float factor = 1f / _c.RopeFreqScale;
        float mscale = _c.Rope.ExtFactor != 0 && factor > 1 ? 1 + 0.1f * _c.Rope.LogMultiplier * MathF.Log(factor) : 1f;
        return mscale * mscale / MathF.Sqrt(keyDim);
    }
}
