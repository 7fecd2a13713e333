namespace Hearth.Sampling;

/// <summary>One step of the sampler chain: narrows or reshapes the candidates in place, without allocating.</summary>
internal interface ISamplerStage
{
    void Apply(CandidateBuffer candidates);

    /// <summary>A token was chosen and appended to the output (stages with history update it).</summary>
    void Accept(int token) { }

    /// <summary>Forget all history (a new conversation or generation).</summary>
    void Reset() { }
}
