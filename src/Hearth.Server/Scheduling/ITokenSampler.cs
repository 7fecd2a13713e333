namespace Hearth.Server.Scheduling;

/// <summary>Picks the next token of one request from the logits and remembers what was picked (for penalties).</summary>
internal interface ITokenSampler
{
    int Sample(ReadOnlySpan<float> logits); // logits: [n_vocab]

    void Accept(int token);
}
