namespace Hearth;

/// <summary>
/// How an embedding model turns its per-token hidden states into one vector per input (the GGUF's
/// <c>&lt;arch&gt;.pooling_type</c>, llama.cpp's numbering).
/// </summary>
public enum PoolingType
{
    /// <summary>No pooling: one vector per token.</summary>
    None = 0,

    /// <summary>The mean of the sequence's hidden states.</summary>
    Mean = 1,

    /// <summary>The first token's hidden state (BERT's [CLS]).</summary>
    Cls = 2,

    /// <summary>The last token's hidden state (Qwen3-Embedding and other decoder embedders).</summary>
    Last = 3,

    /// <summary>A relevance score from a classification head (rerankers): one number per (query, document) input.</summary>
    Rank = 4,
}
