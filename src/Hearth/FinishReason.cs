namespace Hearth;

/// <summary>Why a generation ended.</summary>
public enum FinishReason
{
    /// <summary>The model produced an end-of-generation token (EOS, end of turn).</summary>
    EndOfGeneration,

    /// <summary><see cref="GenerationOptions.MaxTokens"/> tokens were generated.</summary>
    Length,

    /// <summary>The text reached one of <see cref="GenerationOptions.StopStrings"/>.</summary>
    StopString,

    /// <summary>The session's context (KV cache) is full.</summary>
    ContextFull,

    /// <summary>The output is a complete sentence of the grammar, which allows nothing more.</summary>
    GrammarComplete,
}
