using Hearth.Numerics;

namespace Hearth.Tests.Performance;

/// <summary>The engine allocates nothing per decoded token once warmed up, on the calling thread nor on the workers.</summary>
public class AllocationTests
{
    [Fact]
    public void Decoding_a_token_allocates_nothing_after_warm_up()
    {
        using var model = Model.Load(TestData.PathOf("gguf/stories260K.gguf"), new ModelOptions { Threads = 2 });
        using var session = model.CreateSession(128);
        session.Evaluate([1, 400, 300, 200]);
        for (int i = 0; i < 8; i++) session.Evaluate([100 + i]); // warm-up: JIT, lazily sized scratch
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 32; i++) session.Evaluate([200 + i]);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"32 decoded tokens allocated {allocated} bytes on the calling thread");
    }

    /// <summary>
    /// Each worker notes its allocation counter whenever it runs a chunk; between two runs of the job everything the worker
    /// did (waking, spinning, blocking, taking chunks) lies between two notes, so the counter must not move.
    /// </summary>
    [Fact]
    public void Worker_threads_allocate_nothing_between_jobs()
    {
        using var pool = new WorkerPool(3);
        var job = new CountingJob(pool.ThreadCount);
        for (int i = 0; i < 5; i++) pool.Run(job, 64); // warm-up
        job.Reset();
        for (int i = 0; i < 200; i++) pool.Run(job, 64);
        for (int t = 1; t < pool.ThreadCount; t++)
        {
            Assert.True(job.Growth[t] == 0, $"worker {t} allocated {job.Growth[t]} bytes over 200 jobs");
        }
    }

    private sealed class CountingJob(int threads) : IParallelJob
    {
        private readonly long[] _last = new long[threads];
        private readonly bool[] _seen = new bool[threads];

        public long[] Growth { get; } = new long[threads];

        public void Reset()
        {
            Array.Clear(_seen);
            Array.Clear(Growth);
        }

        public void Execute(int chunk, int threadIndex)
        {
            long now = GC.GetAllocatedBytesForCurrentThread();
            if (_seen[threadIndex]) Growth[threadIndex] += now - _last[threadIndex];
            _seen[threadIndex] = true;
            _last[threadIndex] = now;
            Thread.SpinWait(2000); // long enough that every worker takes some chunks
        }
    }
}
