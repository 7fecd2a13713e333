namespace Hearth;

/// <summary>What a finished generation did.</summary>
/// <param name="FinishReason">Why it ended.</param>
/// <param name="PromptTokens">Tokens in the prompt (for a chat turn: the whole rendered conversation).</param>
/// <param name="ReusedPromptTokens">Leading prompt tokens already in the KV cache, so not evaluated again.</param>
/// <param name="GeneratedTokens">Tokens generated (end-of-generation tokens not counted).</param>
public readonly record struct GenerationStats(FinishReason FinishReason, int PromptTokens, int ReusedPromptTokens, int GeneratedTokens);
