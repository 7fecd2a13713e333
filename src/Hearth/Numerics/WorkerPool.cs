namespace Hearth.Numerics;

/// <summary>A unit of parallel work: <see cref="Execute"/> is called once per chunk index in [0, chunkCount).</summary>
internal interface IParallelJob
{
    void Execute(int chunk, int threadIndex);
}

/// <summary>
/// A persistent pool of worker threads that runs one <see cref="IParallelJob"/> at a time across all threads (the caller
/// takes part). Workers spin briefly after each job, then block, so back-to-back jobs in a forward pass pay no
/// wake-up latency while an idle engine burns no CPU. Running a job allocates nothing.
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    private const int SpinIterations = 20_000;

    private readonly Thread[] _threads;
    private readonly SemaphoreSlim _wake;
    private IParallelJob? _job;
    private int _chunkCount;
    private int _nextChunk;
    private int _pending;
    private volatile int _generation;
    private volatile bool _stopping;
    private Exception? _error;

    public WorkerPool(int threadCount)
    {
        ThreadCount = Math.Max(1, threadCount);
        _wake = new SemaphoreSlim(0);
        _threads = new Thread[ThreadCount - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            int index = i + 1;
            _threads[i] = new Thread(() => WorkerLoop(index)) { IsBackground = true, Name = $"hearth-worker-{index}" };
            _threads[i].Start();
        }
    }

    /// <summary>Threads that run a job, the calling thread included.</summary>
    public int ThreadCount { get; }

    /// <summary>Default: one thread per core the process may use.</summary>
    public static int DefaultThreadCount => Math.Max(1, Environment.ProcessorCount);

    /// <summary>
    /// Jobs below this many multiply-adds run on the calling thread: waking workers costs microseconds, and on a loaded
    /// machine a descheduled worker stalls the whole pass, which costs far more than the work of a small projection.
    /// </summary>
    public const long MinParallelWork = 1 << 17;

    /// <summary>Runs <paramref name="job"/> for every chunk index and returns when all are done.</summary>
    /// <param name="job">The work to run.</param>
    /// <param name="chunkCount">Number of chunks; each runs once.</param>
    /// <param name="work">Approximate multiply-adds of the whole job; small jobs run on the calling thread.</param>
    public void Run(IParallelJob job, int chunkCount, long work = long.MaxValue)
    {
        if (chunkCount <= 0) return;
        if (_threads.Length == 0 || chunkCount == 1 || work < MinParallelWork)
        {
            for (int c = 0; c < chunkCount; c++) job.Execute(c, 0);
            return;
        }
        _job = job;
        _chunkCount = chunkCount;
        _nextChunk = 0;
        _error = null;
        Volatile.Write(ref _pending, _threads.Length);
        _generation++;
        _wake.Release(_threads.Length);
        Work(0);
        var spin = new SpinWait();
        while (Volatile.Read(ref _pending) != 0) spin.SpinOnce(sleep1Threshold: -1);
        _job = null;
        if (_error != null) throw new AggregateException("A worker thread failed.", _error);
    }

    private void Work(int threadIndex)
    {
        var job = _job!;
        int n = _chunkCount;
        int c;
        while ((c = Interlocked.Increment(ref _nextChunk) - 1) < n)
        {
            try
            {
                job.Execute(c, threadIndex);
            }
            catch (Exception e)
            {
                _error ??= e;
            }
        }
    }

    private void WorkerLoop(int index)
    {
        int seen = 0;
        while (true)
        {
            // Spin a little waiting for the next job (the next matmul usually follows within microseconds) ...
            int spins = 0;
            while (_generation == seen && !_stopping && spins < SpinIterations)
            {
                Thread.SpinWait(20);
                spins++;
            }
            // ... then block on the semaphore. Every job releases it once per worker; consume that token either way.
            _wake.Wait();
            if (_stopping) return;
            seen = _generation;
            Work(index);
            Interlocked.Decrement(ref _pending);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        if (_threads.Length > 0) _wake.Release(_threads.Length);
        foreach (var t in _threads) t.Join();
        _wake.Dispose();
    }
}
