namespace Hearth;

/// <summary>How a model is loaded and run.</summary>
public sealed class ModelOptions
{
    /// <summary>Worker threads for the forward pass; 0 = one per available core.</summary>
    public int Threads { get; init; }

    /// <summary>Tokens per forward pass during prompt processing (llama.cpp's n_batch).</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>
    /// Most bytes a session may need (KV cache, forward-pass scratch, logits; the weights stay in the mapped file):
    /// <see cref="Model.Load"/> and <see cref="Model.CreateSession"/> refuse with <see cref="ModelMemoryException"/>
    /// above it. 0 = the memory available to the process.
    /// </summary>
    public long MemoryLimit { get; init; }

    /// <summary>
    /// Recurrent-state checkpoints each session of a hybrid model (LFM2, Qwen3.5) keeps for prefix reuse: one after every
    /// forward batch of a multi-token evaluation (every BatchSize prompt tokens and each prompt's end), the oldest replaced; 0 = none (a new prompt that
    /// diverges from the session then reprocesses from the start). Plain transformers ignore it.
    /// </summary>
    public int RecurrentCheckpoints { get; init; } = 8;
}
