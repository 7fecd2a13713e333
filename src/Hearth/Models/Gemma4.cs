using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// <c>gemma4</c> (text path; dense 31B and E2B/E4B, mixture-of-experts 26B-A4B). Gemma 3's block (scaled embeddings,
/// GELU-tanh, pre and post norms, per-head q/k RMS norms, NeoX RoPE) with: which layers slide given per layer
/// (<c>attention.sliding_window_pattern</c>); sliding and global layers of different head sizes, rotated dimensions
/// (<c>*_swa</c> keys) and kv heads (<c>head_count_kv</c> per layer); rope_freqs.weight (proportional RoPE) on the
/// global layers only, base <c>rope.freq_base_swa</c> on the local ones; no query scaling (scale 1, the norms set the
/// magnitude); values RMS-normed per head without weight, and taken from the key projection where a layer has no
/// attn_v; the last <c>attention.shared_kv_layers</c> layers attend over the cache of the last earlier layer of their
/// kind; per-layer input embeddings (<see cref="PerLayerEmbeddings"/>, <c>embedding_length_per_layer_input</c>); a
/// per-layer output scale; the final logit soft-cap. Expert layers (those with ffn_gate_inp) run the dense feed-forward
/// and a softmax top-k mixture (normalised weights, per-expert output scale) side by side
/// (<see cref="MixtureOfExperts.ForwardBesideDense"/>).
/// </summary>
internal static class Gemma4
{
    public static ArchitectureTraits Traits { get; } = new()
    {
        Name = "gemma4",
        RopeStyle = RopeStyle.NeoX,
        QkNorm = true,
        Activation = FeedForwardActivation.GeluTanh,
        PostNorms = true,
        Configure = (c, file) =>
        {
            string a = c.Architecture;
            c.EmbeddingScale = MathF.Sqrt(c.EmbeddingLength);
            c.AttentionScale = 1f;
            c.AttnLogitSoftcap = 0;
            var pattern = file.GetValueOrNull($"{a}.attention.sliding_window_pattern");
            if (pattern?.Value is System.Array arr)
            {
                if (arr.Length != c.BlockCount)
                    throw new ModelConfigurationException($"Metadata '{a}.attention.sliding_window_pattern' has {arr.Length} entries; the model has {c.BlockCount} blocks.");
                var local = new bool[c.BlockCount];
                string key = $"{a}.attention.sliding_window_pattern";
                for (int i = 0; i < local.Length; i++) local[i] = arr.GetValue(i) is bool b ? b : ModelConfig.LayerValue(arr.GetValue(i), key) != 0;
                c.SlidingLayers = local;
            }
            else if (pattern != null)
            {
                // A single value applies to every layer (llama.cpp's get_key_or_arr).
                var local = new bool[c.BlockCount];
                Array.Fill(local, pattern.Value is bool b ? b : ModelConfig.LayerValue(pattern.Value, $"{a}.attention.sliding_window_pattern") != 0);
                c.SlidingLayers = local;
            }
            long shared = file.GetInt64($"{a}.attention.shared_kv_layers") ?? 0;
            if (shared < 0 || shared >= c.BlockCount)
                throw new ModelConfigurationException($"Metadata '{a}.attention.shared_kv_layers' = {shared} is out of range for {c.BlockCount} blocks.");
            c.KvLayerCount = c.BlockCount - (int)shared;
            c.RopeFactorsOnLocalLayers = false;
            c.ValueNorm = true;
            long ple = file.GetInt64($"{a}.embedding_length_per_layer_input") ?? 0;
            c.PerLayerEmbeddingLength = ple is >= 0 and <= int.MaxValue ? (int)ple : throw new ModelConfigurationException(
                $"Metadata '{a}.embedding_length_per_layer_input' = {ple} is out of range.");
            if (c.ExpertCount > 0)
            {
                c.ExpertsBesideDense = true;
                c.ExpertWeightsNorm = true;
                c.ExpertGating = ExpertGating.Softmax;
                c.ExpertWeightsScale = 1f;
            }
        },
    };
}
