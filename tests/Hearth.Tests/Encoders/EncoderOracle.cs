using LLama;
using LLama.Common;
using LLama.Native;
using Hearth.Tests.Oracle;

namespace Hearth.Tests.Encoders;

/// <summary>
/// llama.cpp (LLamaSharp 0.30.0, the same pinned build as <see cref="LlamaCppOracle"/>) as the reference for pooled
/// embeddings and rank scores: one input per decode from an empty memory, the context's pooling as the file states,
/// the raw pooled vector (llama_get_embeddings_seq) — not normalised.
/// </summary>
internal static class EncoderOracle
{
    public static float[][] Pooled(string path, IReadOnlyList<int[]> inputs)
    {
        LlamaCppNative.EnsureConfigured();
        var p = new ModelParams(path)
        {
            ContextSize = 512,
            BatchSize = 512,
            UBatchSize = 512,
            Threads = 1,
            BatchThreads = 1,
            GpuLayerCount = 0,
            LoadMode = LLamaLoadMode.None,
            FlashAttention = false,
            Embeddings = true,
            PoolingType = LLamaPoolingType.Unspecified,
        };
        lock (LlamaCppNative.Gate)
        {
            using var weights = LLamaWeights.LoadFromFile(p);
            using var ctx = weights.CreateContext(p);
            var batch = new LLamaBatch();
            var result = new float[inputs.Count][];
            for (int i = 0; i < inputs.Count; i++)
            {
                ctx.NativeHandle.MemoryClear(true);
                batch.Clear();
                for (int t = 0; t < inputs[i].Length; t++) batch.Add((LLamaToken)inputs[i][t], t, LLamaSeqId.Zero, true);
                var r = ctx.Decode(batch);
                if (r != DecodeResult.Ok) throw new InvalidOperationException($"llama_decode failed: {r}");
                result[i] = ctx.NativeHandle.GetEmbeddingsSeq(LLamaSeqId.Zero).ToArray();
            }
            return result;
        }
    }

    /// <summary>llama.cpp's tokenization (special tokens added and parsed, as its embedding tool does).</summary>
    public static int[] Tokenize(string path, string text)
    {
        using var o = LlamaCppOracle.Load(path, contextSize: 64);
        return o.Tokenize(text, addSpecial: true, parseSpecial: true);
    }
}
