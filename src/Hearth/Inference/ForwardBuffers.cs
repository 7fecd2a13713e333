using Hearth.Models;
using Hearth.Numerics;

namespace Hearth.Inference;

/// <summary>
/// Scratch memory of the forward pass, shared by a model's sessions (passes are serialised), sized for
/// <see cref="MaxBatch"/> tokens and grown only when a session with a longer context is created, so decoding allocates
/// nothing per token.
/// </summary>
internal sealed class ForwardBuffers
{
    /// <summary>Rows of logits computed per output-head pass (bounds the buffer for large vocabularies).</summary>
    public const int LogitRows = 16;

    public ForwardBuffers(ModelConfig c, int maxBatch, int contextSize, int threads)
    {
        MaxBatch = maxBatch;
        TokenPos = new int[maxBatch];
        TokenCache = new KvCache[maxBatch];
        OutputRows = new int[maxBatch];
        int qDim = c.HeadCount * c.HeadDim, kDim = c.HeadCountKv * c.HeadDim, vDim = c.HeadCountKv * c.ValueHeadDim;
        int attnDim = c.HeadCount * c.ValueHeadDim;
        X = new float[maxBatch * c.EmbeddingLength];
        Xb = new float[maxBatch * Math.Max(c.EmbeddingLength, attnDim)];
        Q = new float[maxBatch * qDim];
        K = new float[maxBatch * kDim];
        V = new float[maxBatch * vDim];
        AttnOut = new float[maxBatch * attnDim];
        Gate = new float[maxBatch * c.FeedForwardLength];
        Up = new float[maxBatch * c.FeedForwardLength];
        Logits = new float[LogitRows * c.VocabSize];
        int widest = Math.Max(Math.Max(c.EmbeddingLength, attnDim), c.FeedForwardLength);
        // The widest activation encoding is F32 (4 bytes per element); every quantized layout is smaller.
        Quantized = new byte[(long)maxBatch * widest * 4 + 64];
        Scores = new float[threads][];
        HeadScratch = new float[threads][];
        for (int i = 0; i < threads; i++) HeadScratch[i] = new float[Math.Max(c.HeadDim, c.ValueHeadDim)];
        EnsureContext(contextSize);
    }

    public int ContextCapacity { get; private set; }

    /// <summary>Grows the attention score buffers for a session of <paramref name="contextSize"/> tokens.</summary>
    public void EnsureContext(int contextSize)
    {
        if (contextSize <= ContextCapacity) return;
        for (int i = 0; i < Scores.Length; i++) Scores[i] = new float[contextSize];
        ContextCapacity = contextSize;
    }

    public int[] TokenPos { get; }     // [batch] position of each token in its sequence

    public KvCache[] TokenCache { get; } // [batch] the cache of each token's sequence

    public int[] OutputRows { get; }   // [batch] token indices whose logits are wanted

    public int MaxBatch { get; }

    public float[] X { get; }          // [batch, n_embd] residual stream

    public float[] Xb { get; }         // [batch, n_embd] normalised input of a sub-layer

    public float[] Q { get; }          // [batch, n_head * head_dim]

    public float[] K { get; }          // [batch, n_head_kv * head_dim]

    public float[] V { get; }          // [batch, n_head_kv * v_head_dim]

    public float[] AttnOut { get; }    // [batch, n_head * v_head_dim]

    public float[] Gate { get; }       // [batch, n_ff]

    public float[] Up { get; }         // [batch, n_ff]

    public float[] Logits { get; }     // [LogitRows, n_vocab]

    public byte[] Quantized { get; }   // activations converted to the weights' vec-dot type

    public float[][] Scores { get; }   // per thread: [context] attention scores

    public float[][] HeadScratch { get; } // per thread: [head_dim] a key or value row converted from F16

    /// <summary>Which input and type <see cref="Quantized"/> currently holds, so q/k/v (and gate/up) share one conversion.</summary>
    public (float[]? Source, int Version, GgmlType Type) QuantizedFor { get; set; }

    public int InputVersion { get; set; }
}
