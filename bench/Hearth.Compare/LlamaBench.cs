using System.Diagnostics;
using LLama;
using LLama.Common;
using LLama.Native;

namespace Hearth.Compare;

/// <summary>
/// llama-bench's pp/tg measurement through LLamaSharp's llama.cpp (the widest SIMD build the CPU supports): pp = one
/// batch of p random tokens from an empty cache; tg = n single-token decodes from an empty cache; one warm-up run each.
/// </summary>
internal static class LlamaBench
{
    public static (double[] Pp, double[] Tg) Run(string path, int threads, int nPrompt, int nGen, int reps)
    {
        NativeLibraryConfig.All.WithCuda(false).WithVulkan(false).WithLogCallback((_, _) => { });
        var p = new ModelParams(path)
        {
            ContextSize = (uint)(nPrompt + nGen + 16),
            BatchSize = (uint)Math.Max(nPrompt, 1),
            UBatchSize = (uint)Math.Max(nPrompt, 1),
            Threads = threads,
            BatchThreads = threads,
            GpuLayerCount = 0,
            FlashAttention = false,
        };
        using var weights = LLamaWeights.LoadFromFile(p);
        using var ctx = weights.CreateContext(p);
        int vocab = weights.Vocab.Count;
        var rng = new Random(1234);
        var prompt = new int[nPrompt];
        for (int i = 0; i < nPrompt; i++) prompt[i] = rng.Next(vocab);
        var batch = new LLamaBatch();

        double Pp()
        {
            ctx.NativeHandle.MemoryClear(true);
            batch.Clear();
            for (int i = 0; i < nPrompt; i++) batch.Add(prompt[i], i, LLamaSeqId.Zero, i == nPrompt - 1);
            var sw = Stopwatch.StartNew();
            Check(ctx.Decode(batch));
            return nPrompt / sw.Elapsed.TotalSeconds;
        }

        double Tg()
        {
            ctx.NativeHandle.MemoryClear(true);
            int token = 1;
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < nGen; i++)
            {
                batch.Clear();
                batch.Add(token, i, LLamaSeqId.Zero, true);
                Check(ctx.Decode(batch));
                token = rng.Next(vocab);
            }
            return nGen / sw.Elapsed.TotalSeconds;
        }

        double[]? pp = null, tg = null;
        if (nPrompt > 0)
        {
            Pp();
            pp = new double[reps];
            for (int i = 0; i < reps; i++) pp[i] = Pp();
            Array.Sort(pp);
        }
        if (nGen > 0)
        {
            Tg();
            tg = new double[reps];
            for (int i = 0; i < reps; i++) tg[i] = Tg();
            Array.Sort(tg);
        }
        return (pp ?? [], tg ?? []);
    }

    private static void Check(DecodeResult r)
    {
        if (r != DecodeResult.Ok) throw new InvalidOperationException($"llama_decode failed: {r}");
    }
}
