using System.Diagnostics;
using System.Runtime.Intrinsics;

namespace Hearth.Compare;

/// <summary>
/// Streaming read bandwidth: T threads each sum their share of a buffer much larger than the caches with 256-bit loads;
/// best of several passes. This is the ceiling generation approaches when it only reads weights.
/// </summary>
internal static unsafe class StreamBench
{
    public static void Run(int threads, int mib)
    {
        long bytes = (long)mib << 20;
        var buffer = GC.AllocateUninitializedArray<byte>((int)Math.Min(bytes, int.MaxValue - 64), pinned: true);
        bytes = buffer.Length & ~4095L;
        new Random(1).NextBytes(buffer);
        double best = double.MaxValue;
        fixed (byte* p = buffer)
        {
            byte* b = p;
            for (int pass = 0; pass < 7; pass++)
            {
                var sw = Stopwatch.StartNew();
                var workers = new Thread[threads];
                long share = bytes / threads & ~31L;
                for (int t = 0; t < threads; t++)
                {
                    long start = t * share;
                    workers[t] = new Thread(() => Sum(b + start, share));
                    workers[t].Start();
                }
                foreach (var w in workers) w.Join();
                best = Math.Min(best, sw.Elapsed.TotalSeconds);
            }
        }
        Console.WriteLine($"streaming read, {threads} threads, {bytes >> 20} MiB: {bytes / best / 1e9:F1} GB/s (best of 7)");
    }

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
}
