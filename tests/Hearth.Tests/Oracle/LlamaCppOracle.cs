using LLama;
using LLama.Common;
using LLama.Native;

namespace Hearth.Tests.Oracle;

/// <summary>
/// llama.cpp (through LLamaSharp 0.30.0) as the reference implementation: load a GGUF, tokenize, evaluate token ids
/// and read the raw logits, greedy-decode by argmax. Test project only; the engine never references llama.cpp.
/// </summary>
/// <remarks>
/// Settings chosen to reproduce what llama.cpp's own tools compute (and what testdata/gguf/expected was recorded with):
/// CPU only, a fixed thread count, flash attention off (newer llama.cpp defaults to "auto", which turns it on for CPU
/// and moves logits by up to 4e-3 on F32 and 0.17 on Q4_K_M stories260K against the recording), F16 KV cache (llama.cpp's
/// default) unless asked for F32, and the model read into memory instead of mapped so test files can be deleted
/// (Windows cannot delete a mapped file). The KV cache is kept between <see cref="Evaluate"/> calls, like a session.
/// </remarks>
internal sealed class LlamaCppOracle : IDisposable
{
    private readonly LLamaWeights _weights;
    private readonly LLamaContext _context;
    private readonly LLamaBatch _batch = new();
    private int _position;

    private LlamaCppOracle(LLamaWeights weights, LLamaContext context, int contextSize)
    {
        _weights = weights;
        _context = context;
        VocabSize = weights.Vocab.Count;
        ContextSize = contextSize; // llama.cpp may round its own n_ctx up; the batch holds exactly this many

    }

    /// <summary>Number of logits per position (llama.cpp's n_vocab).</summary>
    public int VocabSize { get; }

    public int ContextSize { get; }

    /// <summary>Hyper-parameters as llama.cpp read them from the file; NeoXRope: llama.cpp's rope type is
    /// LLAMA_ROPE_TYPE_NEOX (2), which LLamaSharp's enum does not name.</summary>
    public (int EmbeddingSize, int LayerCount, int HeadCount, int KvHeadCount, bool NeoXRope) Shape
    {
        get
        {
            var m = _weights.NativeHandle;
            lock (LlamaCppNative.Gate)
                return (m.EmbeddingSize, m.LayerCount, m.HeadCount, m.KVHeadCount, (int)m.RopeType == 2);
        }
    }

    /// <summary>Tokens evaluated since the last <see cref="Reset"/> (the next token's position).</summary>
    public int Position => _position;

    /// <summary>Loads <paramref name="path"/> on the CPU.</summary>
    /// <param name="threads">1 matches the recorded expectations; results do not depend on it (rows are split across
    /// threads, not sums), it only changes speed.</param>
    /// <param name="f32KvCache">Store K and V in F32 instead of llama.cpp's default F16.</param>
    public static LlamaCppOracle Load(string path, int contextSize = 512, int threads = 1, bool f32KvCache = false)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"GGUF model for the llama.cpp oracle not found: {path}", path);
        ArgumentOutOfRangeException.ThrowIfLessThan(contextSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        LlamaCppNative.EnsureConfigured();

        var parameters = new ModelParams(path)
        {
            ContextSize = (uint)contextSize,
            BatchSize = (uint)contextSize, // a whole prompt fits one batch, as in llama.cpp's tools
            UBatchSize = (uint)contextSize,
            Threads = threads,
            BatchThreads = threads,
            GpuLayerCount = 0,
            LoadMode = LLamaLoadMode.None,
            FlashAttention = false,
        };
        if (f32KvCache)
        {
            parameters.TypeK = GGMLType.GGML_TYPE_F32;
            parameters.TypeV = GGMLType.GGML_TYPE_F32;
        }

        lock (LlamaCppNative.Gate)
        {
            LLamaWeights weights;
            try
            {
                weights = LLamaWeights.LoadFromFile(parameters);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InvalidOperationException(
                    $"llama.cpp could not load {path}: {e.Message}{Environment.NewLine}llama.cpp said: " +
                    string.Join(Environment.NewLine, LlamaCppNative.Warnings.TakeLast(10)), e);
            }
            try
            {
                return new LlamaCppOracle(weights, weights.CreateContext(parameters), contextSize);
            }
            catch
            {
                weights.Dispose();
                throw;
            }
        }
    }

    /// <summary>llama.cpp's tokenizer: <paramref name="addSpecial"/> adds BOS/EOS as the vocabulary says,
    /// <paramref name="parseSpecial"/> turns control-token text such as "&lt;s&gt;" into that token.</summary>
    public int[] Tokenize(string text, bool addSpecial, bool parseSpecial)
    {
        LLamaToken[] tokens;
        lock (LlamaCppNative.Gate) tokens = _context.Tokenize(text, addSpecial, parseSpecial);
        var ids = new int[tokens.Length];
        for (int i = 0; i < ids.Length; i++) ids[i] = (int)tokens[i];
        return ids;
    }

    /// <summary>Empties the KV cache; the next token goes to position 0.</summary>
    public void Reset()
    {
        lock (LlamaCppNative.Gate) _context.NativeHandle.MemoryClear(true);
        _position = 0;
    }

    /// <summary>Appends <paramref name="tokens"/> to the KV cache in one batch; returns the last position's logits.</summary>
    public float[] Evaluate(ReadOnlySpan<int> tokens) => Decode(tokens, allPositions: false)[0];

    /// <summary>Appends <paramref name="tokens"/> in one batch; returns the logits of every one of them.</summary>
    public float[][] EvaluateAll(ReadOnlySpan<int> tokens) => Decode(tokens, allPositions: true);

    /// <summary>Logits of the last token of <paramref name="tokens"/> evaluated from an empty cache.</summary>
    public float[] LastLogits(ReadOnlySpan<int> tokens)
    {
        Reset();
        return Evaluate(tokens);
    }

    /// <summary>From an empty cache: evaluates <paramref name="prompt"/> as one batch, then <paramref name="count"/>
    /// single-token steps, each picking the argmax of the raw logits (lowest id on ties), with no stop at EOS.</summary>
    public int[] Greedy(ReadOnlySpan<int> prompt, int count)
    {
        var result = new int[count];
        if (count == 0) return result;
        Reset();
        float[] logits = Evaluate(prompt);
        for (int i = 0; i < count; i++)
        {
            result[i] = ArgMax(logits);
            if (i + 1 < count) logits = Evaluate([result[i]]);
        }
        return result;
    }

    /// <summary>Index of the largest value; the first one when several are equal.</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty) throw new ArgumentException("No logits to choose from.", nameof(values));
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    private float[][] Decode(ReadOnlySpan<int> tokens, bool allPositions)
    {
        if (tokens.IsEmpty) throw new ArgumentException("At least one token is needed to produce logits.", nameof(tokens));
        if (_position + tokens.Length > ContextSize)
            throw new InvalidOperationException(
                $"{_position} cached + {tokens.Length} new tokens exceed the oracle's context of {ContextSize}.");
        foreach (int t in tokens)
            if ((uint)t >= (uint)VocabSize)
                throw new ArgumentOutOfRangeException(nameof(tokens), $"Token id {t} is outside the vocabulary (0..{VocabSize - 1}).");

        lock (LlamaCppNative.Gate)
        {
            _batch.Clear();
            for (int i = 0; i < tokens.Length; i++)
                _batch.Add(tokens[i], _position + i, LLamaSeqId.Zero, allPositions || i == tokens.Length - 1);
            DecodeResult r = _context.Decode(_batch);
            if (r != DecodeResult.Ok)
                throw new InvalidOperationException($"llama_decode failed with {r} at position {_position}.");
            _position += tokens.Length;

            // GetLogitsIth indexes the batch; the outputs are the positions flagged above.
            var rows = new float[allPositions ? tokens.Length : 1][];
            for (int i = 0; i < rows.Length; i++)
            {
                int batchIndex = allPositions ? i : tokens.Length - 1;
                rows[i] = _context.NativeHandle.GetLogitsIth(batchIndex).ToArray();
            }
            return rows;
        }
    }

    public void Dispose()
    {
        lock (LlamaCppNative.Gate)
        {
            _context.Dispose();
            _weights.Dispose();
        }
    }
}
