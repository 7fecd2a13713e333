using System.Diagnostics;
using System.Runtime.Intrinsics;

namespace Hearth.Compare;

/// <summary>
/// Streaming read bandwidth: T threads each sum their share of a buffer much larger than the caches with 256-bit loads;
/// best of several passes, by wall time and by CPU time. This is the ceiling generation approaches when it only reads weights.
/// </summary>
internal static unsafe class StreamBench
{
    public static void Run(int threads, int mib, bool prefetch = false)
    {
        long bytes = (long)mib << 20;
        var buffer = GC.AllocateUninitializedArray<byte>((int)Math.Min(bytes, int.MaxValue - 64), pinned: true);
        bytes = buffer.Length & ~4095L;
        new Random(1).NextBytes(buffer);
        double best = double.MaxValue, bestCpu = double.MaxValue;
        var proc = Process.GetCurrentProcess();
        fixed (byte* p = buffer)
        {
            byte* b = p;
            for (int pass = 0; pass < 7; pass++)
            {
                proc.Refresh();
                var cpu0 = proc.TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                var workers = new Thread[threads];
                long share = bytes / threads & ~31L;
                for (int t = 0; t < threads; t++)
                {
                    long start = t * share;
                    workers[t] = new Thread(() => { if (prefetch) SumPrefetched(b + start, share); else Sum(b + start, share); });
                    workers[t].Start();
                }
                foreach (var w in workers) w.Join();
                best = Math.Min(best, sw.Elapsed.TotalSeconds);
                proc.Refresh();
                bestCpu = Math.Min(bestCpu, (proc.TotalProcessorTime - cpu0).TotalSeconds / threads);
            }
        }
        // On a shared machine a descheduled thread inflates wall time; per-thread CPU time shows what the memory delivers
        // while the threads actually run.
        Console.WriteLine($"streaming read{(prefetch ? " with software prefetch 1 KiB ahead" : "")}, {threads} threads, {bytes >> 20} MiB: {bytes / best / 1e9:F1} GB/s wall, {bytes / bestCpu / 1e9:F1} GB/s per CPU-second/thread (best of 7)");
    }

    // Optimised from the first call: each pass calls it once per thread, too few calls for tiering to reach it.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static long Sum(byte* p, long n)
    {
        var a0 = Vector256<long>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
        for (long i = 0; i + 128 <= n; i += 128)
        {
            a0 += Vector256.Load((long*)(p + i));
            a1 += Vector256.Load((long*)(p + i + 32));
            a2 += Vector256.Load((long*)(p + i + 64));
            a3 += Vector256.Load((long*)(p + i + 96));
        }
        return Vector256.Sum(a0 + a1 + a2 + a3);
    }

    /// <summary>As <see cref="Sum"/>, asking for the line 1 KiB ahead first, as Hearth's decode tiles do with the next rows.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static long SumPrefetched(byte* p, long n)
    {
        var a0 = Vector256<long>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
        for (long i = 0; i + 128 <= n; i += 128)
        {
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(p + i + 1024);
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(p + i + 1088);
            a0 += Vector256.Load((long*)(p + i));
            a1 += Vector256.Load((long*)(p + i + 32));
            a2 += Vector256.Load((long*)(p + i + 64));
            a3 += Vector256.Load((long*)(p + i + 96));
        }
        return Vector256.Sum(a0 + a1 + a2 + a3);
    }
}
