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
        TokenState = new RecurrentState?[maxBatch];
        OutputRows = new int[maxBatch];
        int qDim = c.HeadCount * c.MaxHeadDim, kDim = Math.Max(c.HeadCountKv * c.HeadDim, c.MaxKeyWidth);
        int vDim = Math.Max(c.HeadCountKv * c.ValueHeadDim, c.MaxValueWidth);
        int attnDim = c.HeadCount * (c.IsLatentAttention ? c.MlaValueDim : c.MaxValueHeadDim);
        int ff = c.MaxFeedForwardLength;
        X = new float[maxBatch * c.EmbeddingLength];
        Xb = new float[maxBatch * Math.Max(c.EmbeddingLength, attnDim)];
        Q = new float[maxBatch * qDim];
        K = new float[maxBatch * kDim];
        V = new float[maxBatch * vDim];
        AttnOut = new float[maxBatch * attnDim];
        Gate = new float[maxBatch * ff];
        Up = new float[maxBatch * ff];
        Logits = new float[LogitRows * c.VocabSize];
        int widest = Math.Max(Math.Max(c.EmbeddingLength, attnDim), Math.Max(ff, c.QLoraRank));
        if (c.IsRecurrent)
        {
            // In-projection outputs: LFM2's b|c|x (3 n_embd), Gated DeltaNet's q|k|v; the mixer output feeds out_proj.
            // Mamba-2's z | x B C | dt, and its d_inner output.
            int inWidth = c.Mixer switch
            {
                RecurrentMixer.ShortConv => 3 * c.EmbeddingLength,
                RecurrentMixer.Mamba2 => c.SsmInProjWidth,
                _ => c.ConvChannels,
            };
            int outWidth = c.Mixer switch
            {
                RecurrentMixer.ShortConv => c.EmbeddingLength,
                RecurrentMixer.Mamba2 => c.SsmInner,
                _ => c.DeltaValueWidth,
            };
            RecurrentIn = new float[maxBatch * inWidth];
            RecurrentConv = new float[maxBatch * c.ConvChannels];
            RecurrentOut = new float[maxBatch * outWidth];
            if (c.Mixer == RecurrentMixer.GatedDeltaNet)
            {
                RecurrentGate = new float[maxBatch * c.DeltaValueWidth];
                RecurrentBeta = new float[maxBatch * c.DeltaValueHeads];
                RecurrentDecay = new float[maxBatch * c.DeltaValueHeads];
                RecurrentFused = new float[maxBatch * (c.ConvChannels + c.DeltaValueWidth + 2 * c.DeltaValueHeads)];
            }
            widest = Math.Max(widest, outWidth);
        }
        if (c.AttentionOutputGate)
        {
            QueryAndGate = new float[maxBatch * 2 * qDim];
            AttnGate = new float[maxBatch * qDim];
        }
        // The widest activation encoding is F32 (4 bytes per element); every quantized layout is smaller.
        Quantized = new byte[(long)maxBatch * widest * 4 + 64];
        Scores = new float[threads][];
        HeadScratch = new float[threads][];
        ThreadBytes = new byte[threads][];
        int scratch = Math.Max(Math.Max(c.MaxHeadDim, c.MaxValueHeadDim), c.KvLoraRank + c.RopeDimensionCount);
        for (int i = 0; i < threads; i++)
        {
            HeadScratch[i] = new float[scratch];
            ThreadBytes[i] = new byte[(c.IsLatentAttention ? Math.Max(c.KvLoraRank, c.MlaKeyDim) * 4 : 0) + 64];
        }
        if (c.IsLatentAttention)
        {
            int heads = c.HeadCount, r = c.KvLoraRank, rope = c.RopeDimensionCount;
            QLora = new float[maxBatch * c.QLoraRank];
            LatentQ = new float[maxBatch * heads * c.MlaKeyDim];
            LatentKv = new float[maxBatch * (r + rope)];
            LatentQAbsorbed = new float[maxBatch * heads * (r + rope)];
            LatentAttn = new float[maxBatch * heads * r];
        }
        if (c.ExpertCount > 0)
        {
            RouterLogits = new float[maxBatch * c.ExpertCount];
            ExpertIds = new int[maxBatch * c.ExpertUsedCount];
            ExpertWeights = new float[maxBatch * c.ExpertUsedCount];
            ExpertTokens = new int[maxBatch];
            ExpertSlots = new int[maxBatch];
            ExpertInput = new float[maxBatch * c.EmbeddingLength];
            ExpertOutput = new float[maxBatch * c.EmbeddingLength];
            MoeSum = new float[maxBatch * c.EmbeddingLength];
            SharedExpertGate = new float[maxBatch];
            if (c.ExpertsBesideDense)
            {
                DenseOut = new float[maxBatch * c.EmbeddingLength];
                RouterInput = new float[maxBatch * c.EmbeddingLength];
            }
        }
        if (c.PerLayerEmbeddingLength > 0)
        {
            int ple = c.PerLayerEmbeddingLength;
            PerLayerInput = new float[maxBatch * c.BlockCount * ple];
            PerLayerProjected = new float[maxBatch * c.BlockCount * ple];
            PerLayerGate = new float[maxBatch * ple];
            PerLayerUp = new float[maxBatch * ple];
        }
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

    public RecurrentState?[] TokenState { get; } // [batch] the recurrent state of each token's sequence (hybrid models)

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

    public byte[][] ThreadBytes { get; }  // per thread: one head's activations in a weight's vec-dot type (latent attention)

    // Latent attention (empty otherwise).
    public float[] QLora { get; } = [];           // [batch, q_lora_rank] compressed queries

    public float[] LatentQ { get; } = [];         // [batch, n_head * (nope + rope)] queries

    public float[] LatentKv { get; } = [];        // [batch, kv_lora_rank + rope] latent and rope key

    public float[] LatentQAbsorbed { get; } = []; // [batch, n_head * (kv_lora_rank + rope)] queries in latent space

    public float[] LatentAttn { get; } = [];      // [batch, n_head * kv_lora_rank] attended latents

    // Recurrent layers (empty otherwise).
    public float[] RecurrentIn { get; } = [];     // [batch, in_proj width] LFM2: b | c | x; Gated DeltaNet: q | k | v

    public float[] RecurrentConv { get; } = [];   // [batch, conv channels] the causal convolution's output

    public float[] RecurrentOut { get; } = [];    // [batch, mixer width] the input of the output projection

    public float[] RecurrentGate { get; } = [];   // [batch, d_inner] Gated DeltaNet's output gate z

    public float[] RecurrentBeta { get; } = [];   // [batch, n_v_heads] Gated DeltaNet's write strength (sigmoid)

    public float[] RecurrentDecay { get; } = [];  // [batch, n_v_heads] Gated DeltaNet's log decay g

    public float[] RecurrentFused { get; } = [];  // [batch, q|k|v|z or β|α] Qwen3-Next's grouped projections before de-grouping

    // Gated attention (Qwen3.5; empty otherwise).
    public float[] QueryAndGate { get; } = [];    // [batch, n_head * 2 * head_dim] per head: query then gate

    public float[] AttnGate { get; } = [];        // [batch, n_head * head_dim] the gate, de-interleaved

    // Mixture of experts (empty otherwise).
    public float[] RouterLogits { get; } = [];    // [batch, n_expert]

    public int[] ExpertIds { get; } = [];         // [batch, n_expert_used] selected experts per token

    public float[] ExpertWeights { get; } = [];   // [batch, n_expert_used] their weights

    public int[] ExpertTokens { get; } = [];      // [batch] tokens routed to the expert being run

    public int[] ExpertSlots { get; } = [];       // [batch] which of the token's selections that is

    public float[] ExpertInput { get; } = [];     // [batch, n_embd] those tokens' inputs, gathered

    public float[] ExpertOutput { get; } = [];    // [batch, n_embd] the expert's outputs for them

    public float[] MoeSum { get; } = [];          // [batch, n_embd] weighted sum of the experts

    public float[] SharedExpertGate { get; } = [];  // [batch] sigmoid gate of the shared expert (Qwen3.5-MoE)
    public float[] DenseOut { get; } = [];        // [batch, n_embd] the dense branch beside the experts (Gemma 4)

    public float[] RouterInput { get; } = [];     // [batch, n_embd] the router's own normed input (Gemma 4)

    // Per-layer input embeddings (Gemma 4 E2B/E4B; empty otherwise).
    public float[] PerLayerInput { get; } = [];     // [batch, n_layer * n_embd_per_layer] each layer's input slice

    public float[] PerLayerProjected { get; } = []; // [batch, n_layer * n_embd_per_layer] projection of the embeddings

    public float[] PerLayerGate { get; } = [];      // [batch, n_embd_per_layer]

    public float[] PerLayerUp { get; } = [];        // [batch, n_embd_per_layer] one layer's slice, gathered

}
