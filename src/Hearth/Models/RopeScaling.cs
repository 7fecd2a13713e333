using Hearth.Gguf;

namespace Hearth.Models;

/// <summary>
/// YaRN context extension and the rope attention factor, derived from <c>rope.scaling.*</c> the way llama.cpp's context
/// creation does: ext_factor 1 for YaRN (else 0); the attention factor get_mscale(F, m) / get_mscale(F, L) when a log
/// multiplier L is given (m = L for DeepSeek-V2 when L ≠ 1, else 1), else get_mscale(F, 1); divided by 1 + 0.1·ln F
/// because ggml's YaRN rope multiplies that back; times <c>rope.scaling.attn_factor</c>. F = rope.scaling.factor.
/// </summary>
internal sealed record RopeScaling
{
    public static RopeScaling None { get; } = new();

    /// <summary>Mix between interpolated and extrapolated angles (ggml's ext_factor); 0 = plain rope.</summary>
    public float ExtFactor { get; init; }

    /// <summary>Magnitude factor passed to ggml's rope (cos and sin are multiplied by it; by more under YaRN).</summary>
    public float AttnFactor { get; init; } = 1f;

    public float BetaFast { get; init; } = 32f;

    public float BetaSlow { get; init; } = 1f;

    /// <summary>Context length the model was trained with before extension (YaRN's correction dimensions).</summary>
    public int OriginalContext { get; init; }

    /// <summary>YaRN log multiplier L (mscale_all_dims) as llama.cpp holds it.</summary>
    public float LogMultiplier { get; init; }

    /// <summary>Whether rope needs more than <see cref="Numerics.Rope"/> offers.</summary>
    public bool NeedsYarnRope => ExtFactor != 0 || AttnFactor != 1f;

    public static RopeScaling Read(GgufFile file, ModelConfig c, bool scaledLogMultiplier)
    {
        string a = c.Architecture;
        string type = file.GetString($"{a}.rope.scaling.type") ?? "";
        float ext = (float)(file.GetDouble($"{a}.rope.scaling.yarn_ext_factor") ?? -1.0);
        if (ext < 0) ext = type == "yarn" ? 1f : 0f;
        float logMul = (float)(file.GetDouble($"{a}.rope.scaling.yarn_log_multiplier") ?? 0.0);
        // DeepSeek-V2's converter stores 0.1 · mscale_all_dims; llama.cpp divides it back out.
        if (scaledLogMultiplier) logMul /= 0.1f;
        float attn = 1f;
        if (ext != 0)
        {
            float factor = 1.0f / c.RopeFreqScale;
            if (logMul != 0)
            {
                float m = scaledLogMultiplier && logMul != 1.0f ? logMul : 1.0f;
                attn = MScale(factor, m) / MScale(factor, logMul);
            }
            else
            {
                attn = MScale(factor, 1.0f);
            }
            attn *= 1.0f / (1.0f + 0.1f * MathF.Log(factor));
        }
        attn *= (float)(file.GetDouble($"{a}.rope.scaling.attn_factor") ?? 1.0);
        long orig = file.GetInt64($"{a}.rope.scaling.original_context_length") ?? 0;
        return new RopeScaling
        {
            ExtFactor = ext,
            AttnFactor = attn,
            BetaFast = (float)(file.GetDouble($"{a}.rope.scaling.yarn_beta_fast") ?? 32.0),
            BetaSlow = (float)(file.GetDouble($"{a}.rope.scaling.yarn_beta_slow") ?? 1.0),
            OriginalContext = orig > 0 ? (int)Math.Min(orig, int.MaxValue) : c.ContextLength,
            LogMultiplier = logMul,
        };
    }

    /// <summary>
    /// DeepSeek-V2's attention score scale: mscale² / sqrt(key width) with mscale = a · (1 + 0.1·L·ln F), where a is the
    /// rope attention factor with ggml's YaRN magnitude put back (llama.cpp's deepseek2 graph).
    /// </summary>
    public float LatentKqScale(float freqScale, int keyDim)
    {
        float lnF = MathF.Log(1.0f / freqScale);
        float attnOrg = AttnFactor * (1.0f + 0.1f * lnF);
        float mscale = attnOrg * (1.0f + 0.1f * LogMultiplier * lnF);
        return mscale * mscale / MathF.Sqrt(keyDim);
    }

    private static float MScale(float scale, float m) => scale <= 1.0f ? 1.0f : 0.1f * m * MathF.Log(scale) + 1.0f;
}
