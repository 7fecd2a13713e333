using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// <c>mistral3</c>: the text model of Ministral 3 (3B/8B/14B, base, instruct and reasoning). The Llama block with
/// normal RoPE, usually YaRN-extended (factor 16 over 16384 positions, beta 32/1, log multiplier 1, read by the shared
/// <see cref="RopeScaling"/>), plus Llama 4's attention temperature: with <c>attention.temperature_scale</c> s the
/// queries are multiplied after RoPE by 1 + s · ln(⌊pos / n⌋ + 1), where n is the original YaRN context
/// (<c>rope.scaling.original_context_length</c>, else context_length), as llama.cpp's mistral3 graph does.
/// </summary>
internal static class Mistral3
{
    private static readonly string[] OptionalBiases = ["attn_output.bias", "ffn_gate.bias", "ffn_up.bias", "ffn_down.bias"];

    public static ArchitectureTraits Traits { get; } = new()
    {
        Name = "mistral3",
        RopeStyle = RopeStyle.Normal,
        Configure = (c, file) =>
        {
            string a = c.Architecture;
            c.AttnTemperatureScale = (float)(file.GetDouble($"{a}.attention.temperature_scale") ?? 0.0);
            if (c.AttnTemperatureScale != 0)
            {
                long orig = file.GetInt64($"{a}.rope.scaling.original_context_length") ?? 0;
                c.AttnTemperatureFloor = orig > 0 ? (int)Math.Min(orig, int.MaxValue) : c.ContextLength;
            }
            // llama.cpp's graph also takes optional output and feed-forward biases, which no Ministral 3 file has;
            // refuse them rather than run without.
            foreach (string bias in OptionalBiases)
            {
                if (file.FindTensor("blk.0." + bias) != null)
                    throw new NotSupportedException($"This mistral3 model has '{bias}' tensors, which Hearth does not support yet.");
            }
            if (c.ExpertCount > 0)
            {
                // The graph's mixture-of-experts branch: softmax router, normalised weights, no scale.
                c.ExpertWeightsNorm = true;
                c.ExpertWeightsScale = 1f;
                c.ExpertGating = ExpertGating.Softmax;
            }
        },
    };
}
