using System.Diagnostics;

namespace Hearth.Compare;

/// <summary>
/// llama-bench's pp/tg measurement on the prebuilt llama.cpp of 2026-09-12 (<see cref="LlamaCppLibrary"/>), with
/// llama-bench's defaults (n_batch 2048, n_ubatch 512, F16 cache, flash attention auto, weight repacking allowed):
/// pp = one batch of p random tokens, tg = n single-token decodes, each after <c>depth</c> tokens already in the cache
/// (llama-bench's <c>--n-depth</c>; the filling is not timed); one warm-up run each.
/// </summary>
internal static unsafe class LlamaBench
{
    public static (double[] Pp, double[] Tg, string Variant) Run(
        string libDir, string variant, string path, int threads, int nPrompt, int nGen, int depth, int reps)
    {
        var lib = LlamaCppLibrary.Open(libDir, variant);
        var mp = lib.ModelDefaultParams();
        mp.NGpuLayers = 0;
        nint model;
        fixed (byte* p = LlamaCppLibrary.Utf8(path)) model = lib.ModelLoadFromFile(p, mp);
        if (model == 0) throw new InvalidOperationException($"llama.cpp could not load {path}.");
        var cp = lib.ContextDefaultParams();
        cp.NCtx = (uint)(depth + nPrompt + nGen + 16);
        cp.NBatch = 2048;
        cp.NUbatch = 512;
        cp.NThreads = threads;
        cp.NThreadsBatch = threads;
        nint ctx = lib.InitFromModel(model, cp);
        if (ctx == 0) throw new InvalidOperationException("llama.cpp could not create a context.");
        int vocab = lib.VocabNTokens(lib.ModelGetVocab(model));
        var batch = lib.BatchInit(2048, 0, 1);
        var rng = new Random(1234);
        try
        {
            void Fill(int n, int start, bool lastOutput)
            {
                for (int done = 0; done < n;)
                {
                    int m = Math.Min(2048, n - done);
                    batch.NTokens = m;
                    for (int i = 0; i < m; i++)
                    {
                        batch.Token[i] = rng.Next(vocab);
                        batch.Pos[i] = start + done + i;
                        batch.NSeqId[i] = 1;
                        batch.SeqId[i][0] = 0;
                        batch.Logits[i] = (sbyte)(lastOutput && done + i == n - 1 ? 1 : 0);
                    }
                    Check(lib.Decode(ctx, batch));
                    done += m;
                }
                lib.Synchronize(ctx);
            }

            void Reset()
            {
                lib.MemoryClear(lib.GetMemory(ctx), 1);
                if (depth > 0) Fill(depth, 0, false);
            }

            double Pp()
            {
                Reset();
                var sw = Stopwatch.StartNew();
                Fill(nPrompt, depth, true);
                return nPrompt / sw.Elapsed.TotalSeconds;
            }

            double Tg()
            {
                Reset();
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < nGen; i++)
                {
                    batch.NTokens = 1;
                    batch.Token[0] = rng.Next(vocab);
                    batch.Pos[0] = depth + i;
                    batch.NSeqId[0] = 1;
                    batch.SeqId[0][0] = 0;
                    batch.Logits[0] = 1;
                    Check(lib.Decode(ctx, batch));
                    lib.Synchronize(ctx);
                }
                return nGen / sw.Elapsed.TotalSeconds;
            }

            double[] pp = [], tg = [];
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
            return (pp, tg, LlamaCppLibrary.LoadedCpuVariant());
        }
        finally
        {
            lib.BatchFree(batch);
            lib.Free(ctx);
            lib.ModelFree(model);
        }
    }

    private static void Check(int r)
    {
        if (r != 0) throw new InvalidOperationException($"llama_decode failed: {r}");
    }
}
