using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// <c>qwen35</c> (Qwen3.5/3.6 dense): a hybrid of Gated DeltaNet layers (<see cref="GatedDeltaNet"/>: linear attention
/// with a per-sequence recurrent state, <c>ssm.*</c> keys) and, every <c>full_attention_interval</c>-th layer (default
/// 4; or as <c>attention.recurrent_layers</c> lists), gated attention: the query projection yields per head the query
/// and an output gate (attention output ⊙ sigmoid(gate) before attn_output), per-head q/k RMS norms, and interleaved
/// M-RoPE over <c>rope.dimension_sections</c> (for text, NeoX rope on the pairs of the three positional sections).
/// The norm before the SwiGLU feed-forward is stored as <c>post_attention_norm</c>. Multi-token-prediction blocks past
/// <c>block_count</c> are not run.
/// </summary>
internal static class Qwen35
{
    public static ArchitectureTraits Traits { get; } = new()
    {
        Name = "qwen35",
        RopeStyle = RopeStyle.NeoX,
        QkNorm = true,
        FfnNormTensor = "post_attention_norm",
        Configure = (c, file) => Configure(c, file),
    };

    internal static void Configure(ModelConfig c, GgufFile file)
    {
        string a = c.Architecture;
        int Key(string key) => ModelConfig.ReadInt(file, $"{a}.{key}", 0, min: 1) is int v and > 0 ? v
            : throw new ModelConfigurationException($"A {a} model needs '{a}.{key}'.", $"{a}.{key}");
        c.Mixer = RecurrentMixer.GatedDeltaNet;
        c.ConvKernel = Key("ssm.conv_kernel");
        c.DeltaHeadDim = Key("ssm.state_size");
        c.DeltaKeyHeads = Key("ssm.group_count");
        c.DeltaValueHeads = Key("ssm.time_step_rank");
        int inner = Key("ssm.inner_size");
        if (inner != (long)c.DeltaValueHeads * c.DeltaHeadDim || 2L * c.DeltaKeyHeads * c.DeltaHeadDim + inner > int.MaxValue)
            throw new ModelConfigurationException($"ssm.inner_size {inner} is not ssm.time_step_rank × ssm.state_size ({c.DeltaValueHeads} × {c.DeltaHeadDim}).");
        c.ConvChannels = 2 * c.DeltaKeyHeads * c.DeltaHeadDim + inner;

        var recurrent = new bool[c.BlockCount];
        if (ModelConfig.PerLayer(file, $"{a}.attention.recurrent_layers", c.BlockCount) is { } listed)
        {
            for (int l = 0; l < recurrent.Length; l++) recurrent[l] = listed[l] != 0;
        }
        else
        {
            int interval = ModelConfig.ReadInt(file, $"{a}.full_attention_interval", 4, min: 1);
            for (int l = 0; l < recurrent.Length; l++) recurrent[l] = (l + 1) % interval != 0;
        }
        c.RecurrentLayers = recurrent;
        c.AttentionOutputGate = true;
        if (file.GetValueOrNull($"{a}.rope.dimension_sections")?.Value is Array s)
        {
            var sections = new int[4];
            for (int i = 0; i < Math.Min(4, s.Length); i++) sections[i] = Convert.ToInt32(s.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
            if (sections[0] + sections[1] + sections[2] + sections[3] > 0) c.RopeSections = sections;
        }
        float scale = (float)(file.GetDouble($"{a}.attention.scale") ?? 0);
        if (scale != 0) c.AttentionScale = scale;
    }
}
