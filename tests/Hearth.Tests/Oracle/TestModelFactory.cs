using System.Runtime.InteropServices;
using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Tests.Oracle;

/// <summary>
/// Writes small random-weight GGUF models with Hearth's own <see cref="GgufWriter"/> and quantizers, using llama.cpp's
/// key and tensor names (gguf-py constants / llama-arch.cpp), so llama.cpp and Hearth can run the same file.
/// </summary>
/// <remarks>
/// Weights are N(0, 1/fan_in) so every projection keeps unit scale (attention scores and FFN activations are neither
/// vanishing nor saturated); the output matrix is N(0, 9/n_embd) so logits spread with std ≈ 3, which keeps greedy
/// choices decisive (top-2 gaps far above rounding noise); norm weights are 1 + N(0, 0.1²), biases N(0, 0.3²).
/// Everything comes from one seeded generator, so a spec always gives the same bytes.
/// </remarks>
internal static class TestModelFactory
{
    public static void Write(TestModelSpec spec, string path)
    {
        Validate(spec);
        string arch = spec.Architecture;
        int nEmbd = spec.EmbeddingLength, nFf = spec.FeedForwardLength, nVocab = spec.VocabSize;
        int hd = spec.EffectiveHeadDim, qDim = spec.HeadCount * hd, kvDim = spec.HeadCountKv * hd;
        var rng = new Random(spec.Seed);

        var w = new GgufWriter(version: 3);
        w.SetMetadata("general.architecture", GgufValue.String(arch));
        w.SetMetadata("general.name", GgufValue.String("hearth-test-" + spec.Name));
        w.SetMetadata("general.file_type", GgufValue.UInt32(FileType(spec.WeightType)));
        w.SetMetadata($"{arch}.context_length", GgufValue.UInt32((uint)spec.ContextLength));
        w.SetMetadata($"{arch}.embedding_length", GgufValue.UInt32((uint)nEmbd));
        w.SetMetadata($"{arch}.block_count", GgufValue.UInt32((uint)spec.BlockCount));
        w.SetMetadata($"{arch}.feed_forward_length", GgufValue.UInt32((uint)nFf));
        w.SetMetadata($"{arch}.attention.head_count", GgufValue.UInt32((uint)spec.HeadCount));
        w.SetMetadata($"{arch}.attention.head_count_kv", GgufValue.UInt32((uint)spec.HeadCountKv));
        w.SetMetadata($"{arch}.attention.layer_norm_rms_epsilon", GgufValue.Float32(spec.RmsNormEps));
        w.SetMetadata($"{arch}.rope.freq_base", GgufValue.Float32(spec.RopeFreqBase));
        w.SetMetadata($"{arch}.rope.dimension_count", GgufValue.UInt32((uint)hd));
        if (spec.HeadDim > 0)
        {
            w.SetMetadata($"{arch}.attention.key_length", GgufValue.UInt32((uint)hd));
            w.SetMetadata($"{arch}.attention.value_length", GgufValue.UInt32((uint)hd));
        }

        var (tokens, scores, types) = SyntheticVocabulary.Build(nVocab);
        w.SetMetadata("tokenizer.ggml.model", GgufValue.String("llama"));
        w.SetMetadata("tokenizer.ggml.tokens", GgufValue.Array(tokens));
        w.SetMetadata("tokenizer.ggml.scores", GgufValue.Array(scores));
        w.SetMetadata("tokenizer.ggml.token_type", GgufValue.Array(types));
        w.SetMetadata("tokenizer.ggml.unknown_token_id", GgufValue.UInt32(SyntheticVocabulary.Unknown));
        w.SetMetadata("tokenizer.ggml.bos_token_id", GgufValue.UInt32(SyntheticVocabulary.Bos));
        w.SetMetadata("tokenizer.ggml.eos_token_id", GgufValue.UInt32(SyntheticVocabulary.Eos));
        w.SetMetadata("tokenizer.ggml.add_bos_token", GgufValue.Bool(true));
        w.SetMetadata("tokenizer.ggml.add_eos_token", GgufValue.Bool(false));

        // Dimensions in ggml order: ne0 = row length (the input side of a projection), ne1 = rows.
        GgmlType wt = spec.WeightType;
        // Tied: the embeddings are also the output matrix, scaled like it; and the blocks write 4x larger outputs into the
        // residual stream, so it is not dominated by the input embedding (else every token predicts itself).
        float embdStd = spec.TiedOutput ? 3f / MathF.Sqrt(nEmbd) : 1f;
        float residualGain = spec.TiedOutput ? 4f : 1f;
        Matrix(w, rng, "token_embd.weight", wt, nEmbd, nVocab, embdStd);       // [n_embd, n_vocab]
        Vector(w, rng, "output_norm.weight", nEmbd, 1f, 0.1f);                 // [n_embd]
        if (!spec.TiedOutput) Matrix(w, rng, "output.weight", wt, nEmbd, nVocab, 3f / MathF.Sqrt(nEmbd)); // [n_embd, n_vocab]
        for (int l = 0; l < spec.BlockCount; l++)
        {
            string p = $"blk.{l}.";
            Vector(w, rng, p + "attn_norm.weight", nEmbd, 1f, 0.1f);                              // [n_embd]
            Matrix(w, rng, p + "attn_q.weight", wt, nEmbd, qDim, 1f / MathF.Sqrt(nEmbd));           // [n_embd, n_head*hd]
            Matrix(w, rng, p + "attn_k.weight", wt, nEmbd, kvDim, 1f / MathF.Sqrt(nEmbd));          // [n_embd, n_head_kv*hd]
            Matrix(w, rng, p + "attn_v.weight", wt, nEmbd, kvDim, 1f / MathF.Sqrt(nEmbd));          // [n_embd, n_head_kv*hd]
            if (arch == "qwen2")
            {
                Vector(w, rng, p + "attn_q.bias", qDim, 0f, 0.3f);                                 // [n_head*hd]
                Vector(w, rng, p + "attn_k.bias", kvDim, 0f, 0.3f);                                // [n_head_kv*hd]
                Vector(w, rng, p + "attn_v.bias", kvDim, 0f, 0.3f);                                // [n_head_kv*hd]
            }
            if (arch == "qwen3")
            {
                Vector(w, rng, p + "attn_q_norm.weight", hd, 1f, 0.1f);                            // [hd], shared by heads
                Vector(w, rng, p + "attn_k_norm.weight", hd, 1f, 0.1f);                            // [hd]
            }
            Matrix(w, rng, p + "attn_output.weight", wt, qDim, nEmbd, residualGain / MathF.Sqrt(qDim));     // [n_head*hd, n_embd]
            Vector(w, rng, p + "ffn_norm.weight", nEmbd, 1f, 0.1f);                               // [n_embd]
            Matrix(w, rng, p + "ffn_gate.weight", wt, nEmbd, nFf, 1f / MathF.Sqrt(nEmbd));          // [n_embd, n_ff]
            Matrix(w, rng, p + "ffn_up.weight", wt, nEmbd, nFf, 1f / MathF.Sqrt(nEmbd));            // [n_embd, n_ff]
            Matrix(w, rng, p + "ffn_down.weight", wt, nFf, nEmbd, residualGain / MathF.Sqrt(nFf));          // [n_ff, n_embd]
        }
        w.WriteTo(path);
    }

    private static void Validate(TestModelSpec spec)
    {
        if (spec.Architecture is not ("llama" or "qwen2" or "qwen3"))
            throw new ArgumentException($"Architecture '{spec.Architecture}' is not one the factory writes (llama, qwen2, qwen3).", nameof(spec));
        if (spec.HeadCount % spec.HeadCountKv != 0)
            throw new ArgumentException($"{spec.Name}: head_count {spec.HeadCount} is not a multiple of head_count_kv {spec.HeadCountKv}.", nameof(spec));
        if (spec.HeadDim == 0 && spec.EmbeddingLength % spec.HeadCount != 0)
            throw new ArgumentException($"{spec.Name}: n_embd {spec.EmbeddingLength} is not divisible by head_count {spec.HeadCount}; give HeadDim.", nameof(spec));
        if (spec.EffectiveHeadDim % 2 != 0)
            throw new ArgumentException($"{spec.Name}: RoPE needs an even head dimension, not {spec.EffectiveHeadDim}.", nameof(spec));
        int block = TensorTypes.Get(spec.WeightType).BlockSize;
        foreach (var (what, n) in new[] { ("n_embd", spec.EmbeddingLength), ("n_ff", spec.FeedForwardLength), ("n_head*head_dim", spec.HeadCount * spec.EffectiveHeadDim) })
            if (n % block != 0)
                throw new ArgumentException($"{spec.Name}: {what} = {n} is not a multiple of {spec.WeightType}'s block size {block}.", nameof(spec));
    }

    // A [cols, rows] matrix (ggml order) of N(0, std²), stored as `type`, quantized row by row.
    private static void Matrix(GgufWriter w, Random rng, string name, GgmlType type, int cols, int rows, float std)
    {
        var traits = TensorTypes.Get(type);
        long rowBytes = traits.RowBytes(cols);
        var data = new byte[checked(rowBytes * rows)];
        var row = new float[cols];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++) row[c] = std * Normal(rng);
            TestQuantizer.Quantize(type, row, data.AsSpan((int)(r * rowBytes), (int)rowBytes), rng);
        }
        w.AddTensor(name, type, [cols, rows], data);
    }

    // An F32 vector of mean + N(0, std²).
    private static void Vector(GgufWriter w, Random rng, string name, int n, float mean, float std)
    {
        var values = new float[n];
        for (int i = 0; i < n; i++) values[i] = mean + std * Normal(rng);
        w.AddTensor(name, GgmlType.F32, [n], MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
    }

    // Box–Muller: one standard normal sample.
    private static float Normal(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }

    // general.file_type (llama_ftype): informational for llama.cpp, stated so `info` tools show the right thing.
    private static uint FileType(GgmlType type) => type switch
    {
        GgmlType.F32 => 0,
        GgmlType.F16 => 1,
        GgmlType.Q4_0 => 2,
        GgmlType.Q8_0 => 7,
        GgmlType.Q4_K => 14, // Q4_K_S: every matrix Q4_K
        GgmlType.Q6_K => 18,
        GgmlType.IQ2_XXS => 19,
        GgmlType.IQ2_XS => 20,
        GgmlType.IQ3_XXS => 23,
        GgmlType.IQ1_S => 24,
        GgmlType.IQ4_NL => 25,
        GgmlType.IQ3_S => 26,
        GgmlType.IQ2_S => 28,
        GgmlType.IQ4_XS => 30,
        GgmlType.IQ1_M => 31,
        GgmlType.TQ1_0 => 36,
        GgmlType.TQ2_0 => 37,
        _ => throw new ArgumentOutOfRangeException(nameof(type), $"The factory does not write {type} models."),
    };
}
