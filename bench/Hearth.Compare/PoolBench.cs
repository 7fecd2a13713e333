using System.Diagnostics;
using Hearth.Numerics;

namespace Hearth.Compare;

/// <summary>
/// The worker pool's fixed cost per job: wake the workers, hand out chunks, wait at the barrier. Runs a job whose
/// chunks do nothing, back to back (as a forward pass does), and prints microseconds per job; a decoded token of
/// TinyLlama's shape runs about 22 × 5 + 1 = 111 such jobs.
/// </summary>
internal static class PoolBench
{
    public static void Run(int threads, int jobs)
    {
        using var pool = new WorkerPool(threads);
        var job = new EmptyJob();
        for (int i = 0; i < 1000; i++) pool.Run(job, threads * 4);
        var samples = new double[5];
        for (int s = 0; s < samples.Length; s++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < jobs; i++) pool.Run(job, threads * 4);
            samples[s] = sw.Elapsed.TotalMilliseconds * 1000 / jobs;
        }
        Array.Sort(samples);
        Console.WriteLine($"worker pool, {threads} threads: {samples[2]:F2} µs per job (median of 5 × {jobs}; min {samples[0]:F2}, max {samples[4]:F2})");
    }

    private sealed class EmptyJob : IParallelJob
    {
        public void Execute(int chunk, int threadIndex)
        {
        }
    }
}
