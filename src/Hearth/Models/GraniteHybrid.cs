using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// <c>granitehybrid</c> (IBM Granite 4.0 H): a hybrid whose layers with <c>attention.head_count_kv</c> 0 are Mamba-2
/// mixers (<see cref="Mamba2"/>, <c>ssm.*</c> keys) and the rest grouped-query attention with normal RoPE — or none at
/// all when <c>rope.scaling.finetuned</c> is false, as the released models (NoPE) state. Every layer has the SwiGLU
/// feed-forward, or with <c>expert_count</c> a <see cref="MixtureOfExperts"/> (softmax router, the chosen experts'
/// weights normalised) plus an ungated shared expert (<c>expert_shared_feed_forward_length</c> wide). Granite's scalars:
/// embeddings × <c>embedding_scale</c>, each sub-layer's output × <c>residual_scale</c> before its residual add, scores ×
/// <c>attention.scale</c> (default 1/sqrt(head_dim)), logits ÷ <c>logit_scale</c>.
/// </summary>
internal static class GraniteHybrid
{
    // llama.cpp's graph takes optional feed-forward biases, which no Granite 4.0 file has; refuse them rather than run without.
    private static readonly string[] FeedForwardBiases = ["ffn_gate.bias", "ffn_up.bias", "ffn_down.bias"];

    public static ArchitectureTraits Traits { get; } = new()
    {
        Name = "granitehybrid",
        RopeStyle = RopeStyle.Normal,
        Configure = (c, file) => Configure(c, file),
    };

    private static void Configure(ModelConfig c, GgufFile file)
    {
        string a = c.Architecture;
        int Key(string key) => ModelConfig.ReadInt(file, $"{a}.{key}", 0, min: 1) is int v and > 0 ? v
            : throw new ModelConfigurationException($"A {a} model needs '{a}.{key}'.", $"{a}.{key}");
        float Scalar(string key) => (float)(file.GetDouble($"{a}.{key}") ?? 0);

        var kvHeads = ModelConfig.PerLayer(file, $"{a}.attention.head_count_kv", c.BlockCount)
            ?? throw new ModelConfigurationException($"A {a} model needs '{a}.attention.head_count_kv' (0 on its Mamba-2 layers).", $"{a}.attention.head_count_kv");
        var recurrent = new bool[c.BlockCount];
        for (int l = 0; l < recurrent.Length; l++) recurrent[l] = kvHeads[l] == 0;
        c.RecurrentLayers = recurrent;
        c.Mixer = RecurrentMixer.Mamba2;
        c.ConvKernel = Key("ssm.conv_kernel");
        c.SsmInner = Key("ssm.inner_size");
        c.SsmState = Key("ssm.state_size");
        c.SsmHeads = Key("ssm.time_step_rank");
        c.SsmGroups = Key("ssm.group_count");
        long channels = c.SsmInner + 2L * c.SsmGroups * c.SsmState;
        c.ConvChannels = channels <= int.MaxValue ? (int)channels
            : throw new ModelConfigurationException($"The Mamba-2 convolution would have {channels} channels ('{a}.ssm.inner_size' + 2 × groups × state).", $"{a}.ssm.inner_size");

        c.EmbeddingScale = Scalar("embedding_scale") is var e and not 0 ? e : 1f;
        c.ResidualScale = Scalar("residual_scale");
        c.LogitScale = Scalar("logit_scale");
        if (Scalar("attention.scale") is var s and not 0) c.AttentionScale = s;
        if (!(file.GetBool($"{a}.rope.scaling.finetuned") ?? true))
        {
            var noRope = new bool[c.BlockCount];
            Array.Fill(noRope, true);
            c.NoRopeLayers = noRope;
        }
        if (c.ExpertCount > 0)
        {
            // llama.cpp sizes the experts by feed_forward_length (Granite files state no expert_feed_forward_length).
            c.ExpertFeedForwardLength = c.FeedForwardLength;
            c.ExpertWeightsNorm = true;
            c.ExpertGating = ExpertGating.Softmax;
            c.ExpertSharedFeedForwardLength = ModelConfig.ReadInt(file, $"{a}.expert_shared_feed_forward_length", 0);
        }
        for (int l = 0; l < c.BlockCount; l++)
        {
            foreach (string bias in FeedForwardBiases)
            {
                if (file.FindTensor($"blk.{l}.{bias}") != null)
                    throw new NotSupportedException($"This {a} model has '{bias}' tensors, which Hearth does not support yet.");
            }
        }
    }
}
