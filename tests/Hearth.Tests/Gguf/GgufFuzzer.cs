using System.Diagnostics;
using System.Text;
using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Tests.Gguf;

/// <summary>
/// Structure-aware mutation of real GGUF files (issue 18): each case parses one of the shared files, changes its
/// metadata (values of another type, edge integers, uint64 above 2^63, non-finite floats, removed and added keys,
/// hyper-parameters whose int products wrap to the real tensor shapes, tokenizer arrays cut or swapped with another
/// vocabulary's) and tensors (removed, renamed to another block, reshaped, retyped), writes the file back, sometimes
/// flips or cuts raw bytes, and runs <see cref="Model.Load"/> and a 2-token generation. The only acceptable outcomes
/// are success or a typed exception (<see cref="IsTyped"/>); anything else is a finding.
/// </summary>
internal sealed class GgufFuzzer
{
    private readonly List<Source> _models = [];
    private readonly List<Source> _vocabularies = [];

    /// <summary>A parsed file: metadata entries and tensors (name, type, dims, data).</summary>
    private sealed record Source(string Name, uint Version, List<KeyValuePair<string, GgufValue>> Metadata, List<(string Name, GgmlType Type, long[] Dims, byte[] Data)> Tensors);

    public GgufFuzzer()
    {
        foreach (string f in new[] { "gguf/stories260K.gguf", "gguf/stories260K-F16.gguf", "gguf/stories260K-Q4_K_M.gguf" }) _models.Add(Read(f));
        foreach (string f in new[] { "vocab/ggml-vocab-llama-spm.gguf", "vocab/ggml-vocab-gpt-2.gguf", "vocab/ggml-vocab-bert-bge.gguf" }) _vocabularies.Add(Read(f));
    }

    private static Source Read(string relative)
    {
        using var f = GgufFile.Open(TestData.PathOf(relative));
        var tensors = new List<(string, GgmlType, long[], byte[])>();
        foreach (var t in f.Tensors) tensors.Add((t.Name, t.Type, t.Dimensions.ToArray(), f.GetTensorData(t).ToArray()));
        return new Source(relative, f.Version, f.MetadataEntries.ToList(), tensors);
    }

    /// <summary>Exceptions a user can catch and act on: the engine's typed errors.</summary>
    public static bool IsTyped(Exception e) =>
        e is GgufFormatException or NotSupportedException or ModelMemoryException or FileNotFoundException;

    public enum Outcome
    {
        Loaded,
        Refused,
        Untyped,
        Hang,
    }

    public sealed record Result(Outcome Outcome, string Mutation, Exception? Error);

    /// <summary>Builds case <paramref name="index"/> of run <paramref name="seed"/> and runs it within <paramref name="timeout"/>.</summary>
    public Result RunCase(int seed, int index, string path, TimeSpan timeout)
    {
        var rng = new Random(HashCode.Combine(seed, index));
        string mutation;
        // One image buffer per thread: a fresh megabyte-sized array per case would churn the large-object heap.
        var image = t_image ??= new MemoryStream();
        try
        {
            mutation = Mutate(rng, image);
        }
        catch (ArgumentException)
        {
            // The writer refused the mutated structure (e.g. a duplicate name): not a case.
            return new Result(Outcome.Refused, "writer refused", null);
        }
        using (var f = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16))
        {
            f.Write(image.GetBuffer(), 0, (int)image.Length);
        }
        Exception? error = null;
        var task = Task.Factory.StartNew(() =>
        {
            try
            {
                LoadAndGenerate(path);
            }
            catch (Exception e)
            {
                error = e;
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (!task.Wait(timeout)) return new Result(Outcome.Hang, mutation, null);
        if (error == null) return new Result(Outcome.Loaded, mutation, null);
        return new Result(IsTyped(error) ? Outcome.Refused : Outcome.Untyped, mutation, error);
    }

    private static void LoadAndGenerate(string path)
    {
        using var model = Model.Load(path, new ModelOptions { Threads = 1, BatchSize = 8 });
        using var session = model.CreateSession(32);
        var generator = session.CreateGenerator("Once upon a time", new GenerationOptions { MaxTokens = 2 });
        long chars = 0;
        while (generator.MoveNext()) chars += generator.CurrentText.Length;
        GC.KeepAlive(chars);
    }

    [ThreadStatic]
    private static MemoryStream? t_image;

    /// <summary>Writes a mutated file into <paramref name="image"/>; returns what was done.</summary>
    private string Mutate(Random rng, MemoryStream image)
    {
        var src = rng.Next(10) == 0 ? _vocabularies[rng.Next(_vocabularies.Count)] : _models[rng.Next(_models.Count)];
        var meta = new List<KeyValuePair<string, GgufValue>>(src.Metadata);
        var tensors = new List<(string Name, GgmlType Type, long[] Dims, byte[] Data)>(src.Tensors);
        var what = new StringBuilder(src.Name);
        int mutations = 1 + rng.Next(3);
        bool raw = false;
        for (int m = 0; m < mutations; m++)
        {
            int kind = rng.Next(100);
            if (kind < 30) ReplaceValue(rng, meta, what);
            else if (kind < 38) RemoveKey(rng, meta, what);
            else if (kind < 52) AddHyperParameter(rng, meta, what);
            else if (kind < 58) WrapProducts(rng, meta, what);
            else if (kind < 68) MutateArray(rng, meta, what);
            else if (kind < 72) SwapVocabulary(rng, meta, what);
            else if (kind < 90) MutateTensor(rng, tensors, what);
            else raw = true;
        }
        var w = new GgufWriter(src.Version);
        foreach (var kv in meta) w.SetMetadata(kv.Key, kv.Value);
        foreach (var t in tensors) w.AddTensor(t.Name, t.Type, t.Dims, t.Data);
        image.SetLength(0);
        w.WriteTo(image);
        if (raw)
        {
            byte[] bytes = image.GetBuffer();
            if (rng.Next(3) == 0)
            {
                int cut = rng.Next((int)image.Length);
                what.Append($"; cut at {cut}");
                image.SetLength(cut);
            }
            else
            {
                int flips = 1 + rng.Next(8);
                int header = (int)Math.Min(image.Length, 64 * 1024);
                for (int i = 0; i < flips; i++)
                {
                    int at = rng.Next(header);
                    bytes[at] ^= (byte)(1 + rng.Next(255));
                    what.Append($"; flip @{at}");
                }
            }
        }
        return what.ToString();
    }

    private static readonly long[] EdgeIntegers =
    [
        0, 1, 2, 3, 7, 8, 63, 64, 65, 127, 128, 255, 256, 511, 512, 513, 1000, 4096, 32768, 65535, 65536,
        int.MaxValue - 1, int.MaxValue, 1L << 31, (1L << 31) + 1, uint.MaxValue, 1L << 32, (1L << 32) + 64, long.MaxValue, -1, -2, int.MinValue, long.MinValue,
    ];

    private static GgufValue RandomValue(Random rng)
    {
        long edge = EdgeIntegers[rng.Next(EdgeIntegers.Length)];
        return rng.Next(14) switch
        {
            0 => new GgufValue(GgufValueType.UInt8, (byte)edge),
            1 => new GgufValue(GgufValueType.Int16, (short)edge),
            2 => new GgufValue(GgufValueType.UInt32, unchecked((uint)edge)),
            3 => new GgufValue(GgufValueType.Int32, unchecked((int)edge)),
            4 => new GgufValue(GgufValueType.UInt64, rng.Next(2) == 0 ? unchecked((ulong)edge) : (1UL << 63) + (ulong)rng.Next(1000)),
            5 => new GgufValue(GgufValueType.Int64, edge),
            6 => new GgufValue(GgufValueType.Float32, rng.Next(5) switch { 0 => float.NaN, 1 => float.PositiveInfinity, 2 => -1e30f, 3 => 0f, _ => (float)(rng.NextDouble() * 1e6) }),
            7 => new GgufValue(GgufValueType.Float64, rng.Next(3) switch { 0 => double.NaN, 1 => double.NegativeInfinity, _ => rng.NextDouble() * 1e9 }),
            8 => GgufValue.Bool(rng.Next(2) == 0),
            9 => GgufValue.String(rng.Next(3) switch { 0 => "", 1 => "llama", _ => new string('x', rng.Next(1, 300)) }),
            10 => GgufValue.Array(new int[rng.Next(0, 8)]),
            11 => GgufValue.Array(new[] { "a", "b" }),
            12 => GgufValue.UInt32((uint)rng.Next(0, 1024)),
            _ => GgufValue.Int32(rng.Next(-4, 600)),
        };
    }

    private static void ReplaceValue(Random rng, List<KeyValuePair<string, GgufValue>> meta, StringBuilder what)
    {
        if (meta.Count == 0) return;
        int i = rng.Next(meta.Count);
        var v = RandomValue(rng);
        meta[i] = new(meta[i].Key, v);
        what.Append($"; {meta[i].Key} = {v.Type}:{Describe(v)}");
    }

    private static void RemoveKey(Random rng, List<KeyValuePair<string, GgufValue>> meta, StringBuilder what)
    {
        if (meta.Count == 0) return;
        int i = rng.Next(meta.Count);
        what.Append($"; removed {meta[i].Key}");
        meta.RemoveAt(i);
    }

    private static readonly string[] HyperParameters =
    [
        "block_count", "embedding_length", "feed_forward_length", "attention.head_count", "attention.head_count_kv",
        "attention.key_length", "attention.value_length", "rope.dimension_count", "context_length", "expert_count",
        "expert_used_count", "expert_feed_forward_length", "expert_shared_count", "leading_dense_block_count",
        "attention.sliding_window", "attention.q_lora_rank", "attention.kv_lora_rank", "rope.scaling.type",
        "rope.scaling.factor", "rope.freq_base", "attention.layer_norm_rms_epsilon", "expert_gating_func",
        "rope.scaling.original_context_length", "attn_logit_softcapping", "expert_weights_scale",
    ];

    private static readonly string[] TokenizerKeys =
    [
        "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id", "tokenizer.ggml.unknown_token_id", "tokenizer.ggml.padding_token_id",
        "tokenizer.ggml.add_bos_token", "tokenizer.ggml.add_eos_token", "tokenizer.ggml.model", "tokenizer.ggml.pre", "general.architecture",
        "general.name", "general.alignment",
    ];

    private static void AddHyperParameter(Random rng, List<KeyValuePair<string, GgufValue>> meta, StringBuilder what)
    {
        string key = rng.Next(4) == 0 ? TokenizerKeys[rng.Next(TokenizerKeys.Length)] : "llama." + HyperParameters[rng.Next(HyperParameters.Length)];
        GgufValue v;
        if (key == "general.alignment") v = GgufValue.UInt32((uint)(1 << rng.Next(0, 8)));
        else if (rng.Next(2) == 0) v = GgufValue.UInt32(unchecked((uint)EdgeIntegers[rng.Next(EdgeIntegers.Length)]));
        else v = RandomValue(rng);
        Set(meta, key, v);
        what.Append($"; {key} = {v.Type}:{Describe(v)}");
    }

    /// <summary>head_count / key_length / value_length chosen so their 32-bit products wrap to the real widths.</summary>
    private static void WrapProducts(Random rng, List<KeyValuePair<string, GgufValue>> meta, StringBuilder what)
    {
        // stories260K: n_embd 64, 8 heads of 8, 4 kv heads. 2^32 + 64 = 8 × 536870920 wraps to 64 in 32 bits.
        switch (rng.Next(4))
        {
            case 0:
                Set(meta, "llama.attention.key_length", GgufValue.UInt32(536870920));
                what.Append("; key_length wraps q width");
                break;
            case 1:
                Set(meta, "llama.attention.value_length", GgufValue.UInt32(1073741832));
                what.Append("; value_length wraps v width");
                break;
            case 2:
                Set(meta, "llama.attention.head_count", GgufValue.UInt32((1u << 29) + 8));
                Set(meta, "llama.attention.head_count_kv", GgufValue.UInt32((1u << 29) + 8));
                what.Append("; head_count wraps");
                break;
            default:
                Set(meta, "llama.expert_feed_forward_length", GgufValue.UInt32(int.MaxValue - 1));
                what.Append("; expert_feed_forward_length 2^31-2 on a dense model");
                break;
        }
    }

    private static void MutateArray(Random rng, List<KeyValuePair<string, GgufValue>> meta, StringBuilder what)
    {
        var arrays = meta.Select((kv, i) => (kv, i)).Where(p => p.kv.Value.IsArray).ToList();
        if (arrays.Count == 0) return;
        var (kv, index) = arrays[rng.Next(arrays.Count)];
        var a = (Array)kv.Value.Value;
        int n = a.Length;
        int newLength = rng.Next(4) switch { 0 => 0, 1 => Math.Max(0, n - 1 - rng.Next(Math.Max(1, n / 2))), 2 => n + 1 + rng.Next(4), _ => n };
        var b = Array.CreateInstance(a.GetType().GetElementType()!, newLength);
        Array.Copy(a, b, Math.Min(n, newLength));
        if (b is string[] s)
        {
            for (int i = n; i < newLength; i++) s[i] = $"extra{i}";
            if (newLength > 0 && rng.Next(2) == 0) s[rng.Next(newLength)] = rng.Next(2) == 0 ? "" : s[rng.Next(newLength)];
        }
        else if (b is int[] ints && newLength > 0)
        {
            ints[rng.Next(newLength)] = (int)EdgeIntegers[rng.Next(EdgeIntegers.Length)];
        }
        else if (b is float[] floats && newLength > 0)
        {
            floats[rng.Next(newLength)] = float.NaN;
        }
        meta[index] = new(kv.Key, new GgufValue(GgufValueType.Array, b, kv.Value.ElementType));
        what.Append($"; {kv.Key} length {n} -> {newLength}");
    }

    /// <summary>The tokenizer of another vocabulary file on the model: a vocabulary that disagrees with the embedding.</summary>
    private void SwapVocabulary(Random rng, List<KeyValuePair<string, GgufValue>> meta, StringBuilder what)
    {
        var vocab = _vocabularies[rng.Next(_vocabularies.Count)];
        meta.RemoveAll(kv => kv.Key.StartsWith("tokenizer.", StringComparison.Ordinal));
        foreach (var kv in vocab.Metadata)
        {
            if (kv.Key.StartsWith("tokenizer.", StringComparison.Ordinal)) meta.Add(kv);
        }
        what.Append($"; tokenizer of {vocab.Name}");
    }

    private static void MutateTensor(Random rng, List<(string Name, GgmlType Type, long[] Dims, byte[] Data)> tensors, StringBuilder what)
    {
        if (tensors.Count == 0) return;
        int i = rng.Next(tensors.Count);
        var t = tensors[i];
        switch (rng.Next(5))
        {
            case 0:
                tensors.RemoveAt(i);
                what.Append($"; removed tensor {t.Name}");
                return;
            case 1:
                {
                    // Rename to a block beyond block_count (or to another existing name's block).
                    string name = t.Name.StartsWith("blk.", StringComparison.Ordinal)
                        ? $"blk.{rng.Next(0, 12)}.{t.Name[(t.Name.IndexOf('.', 4) + 1)..]}"
                        : $"blk.{rng.Next(0, 12)}.{t.Name}";
                    if (tensors.Any(x => x.Name == name)) return;
                    tensors[i] = (name, t.Type, t.Dims, t.Data);
                    what.Append($"; renamed {t.Name} -> {name}");
                    return;
                }
            default:
                {
                    // Reshape and/or retype, with data of the new size (capped).
                    GgmlType type = rng.Next(3) == 0 ? (GgmlType)new[] { 0, 1, 2, 8, 12, 14, 24, 26, 30 }[rng.Next(9)] : t.Type;
                    if (!GgmlTypeSizes.TryGet(type, out int blockSize, out int blockBytes)) return;
                    long[] dims = (long[])t.Dims.Clone();
                    int d = rng.Next(dims.Length + 1);
                    if (d == dims.Length)
                    {
                        if (dims.Length < 4) dims = [.. dims, 1 + rng.Next(3)];
                    }
                    else
                    {
                        dims[d] = rng.Next(4) switch { 0 => 0, 1 => dims[d] * 2, 2 => Math.Max(1, dims[d] / 2), _ => dims[d] + 1 };
                    }
                    if (dims[0] % blockSize != 0) dims[0] = Math.Max(blockSize, dims[0] / blockSize * blockSize);
                    long elements = 1;
                    foreach (long x in dims) elements *= x;
                    long bytes = elements / blockSize * blockBytes;
                    if (bytes > 4 << 20) return;
                    var data = new byte[bytes];
                    Array.Copy(t.Data, data, Math.Min(t.Data.Length, data.Length));
                    tensors[i] = (t.Name, type, dims, data);
                    what.Append($"; {t.Name} {t.Type}[{string.Join(",", t.Dims)}] -> {type}[{string.Join(",", dims)}]");
                    return;
                }
        }
    }

    private static void Set(List<KeyValuePair<string, GgufValue>> meta, string key, GgufValue v)
    {
        int i = meta.FindIndex(kv => kv.Key == key);
        if (i >= 0) meta[i] = new(key, v);
        else meta.Add(new(key, v));
    }

    private static string Describe(GgufValue v) => v.Value is string s && s.Length > 20 ? $"'{s[..20]}...'" : v.ToString();

    /// <summary>
    /// Runs cases [0, <paramref name="cases"/>) of run <paramref name="seed"/> on <paramref name="workers"/> threads (each
    /// case is built from its own seed, so the cases do not depend on the split); the tally and the first findings.
    /// </summary>
    public Tally Run(int seed, int cases, TimeSpan perCase, Action<string>? log = null, int workers = 1)
    {
        var tally = new Tally();
        string dir = Directory.CreateTempSubdirectory("hearth-fuzz").FullName;
        var clock = Stopwatch.StartNew();
        int next = -1;
        void Work(int worker)
        {
            string path = Path.Combine(dir, $"w{worker}.gguf");
            int i;
            while ((i = Interlocked.Increment(ref next)) < cases)
            {
                var r = RunCase(seed, i, path, perCase);
                lock (tally)
                {
                    tally.Add(r);
                    if (r.Outcome is Outcome.Untyped or Outcome.Hang)
                    {
                        string finding = $"case {i} (seed {seed}): {r.Outcome}: {r.Mutation}: {r.Error}";
                        if (tally.Findings.Count < 20) tally.Findings.Add(finding);
                        log?.Invoke(finding);
                    }
                    if (log != null && tally.Files % 5000 == 0)
                    {
                        tally.Elapsed = clock.Elapsed;
                        log(tally.ToString());
                    }
                }
                // A hung case keeps its file open; this worker's later cases use a new name.
                if (r.Outcome == Outcome.Hang) path = Path.Combine(dir, $"w{worker}-{i}.gguf");
            }
        }
        try
        {
            var threads = new Thread[Math.Max(1, workers)];
            for (int w = 0; w < threads.Length; w++)
            {
                int worker = w;
                threads[w] = new Thread(() => Work(worker)) { IsBackground = true };
                threads[w].Start();
            }
            foreach (var t in threads) t.Join();
        }
        finally
        {
            tally.Elapsed = clock.Elapsed;
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // A hung case may still hold its file.
            }
        }
        return tally;
    }

    public sealed class Tally
    {
        public int Files { get; private set; }

        public int Loaded { get; private set; }

        public int Refused { get; private set; }

        public int Untyped { get; private set; }

        public int Hangs { get; private set; }

        public TimeSpan Elapsed { get; set; }

        public List<string> Findings { get; } = [];

        /// <summary>Refusals by exception type, to see that the mutations reach every kind of check.</summary>
        public Dictionary<string, int> RefusedBy { get; } = [];

        public void Add(Result r)
        {
            Files++;
            switch (r.Outcome)
            {
                case Outcome.Loaded: Loaded++; break;
                case Outcome.Refused:
                    Refused++;
                    string type = r.Error?.GetType().Name ?? "writer";
                    RefusedBy[type] = RefusedBy.GetValueOrDefault(type) + 1;
                    break;
                case Outcome.Untyped: Untyped++; break;
                default: Hangs++; break;
            }
        }

        public override string ToString() =>
            $"{Files} files: {Loaded} loaded and generated, {Refused} refused with a typed error ({string.Join(", ", RefusedBy.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value}"))}), {Untyped} untyped, {Hangs} hangs, {Elapsed.TotalSeconds:F0} s";
    }
}
