namespace Hearth.Models;

/// <summary>
/// <c>jina-bert-v2</c> (jina-embeddings-v2, jina-reranker-v1-turbo/tiny): bert's post-norm encoder without position
/// embeddings — attention scores get ALiBi biases (slopes for a maximum bias of 8) — and a GELU-gated feed-forward
/// with biases, the gate a tensor of its own or the first half of <c>ffn_up</c>; optional LayerNorms on the queries and
/// keys and a second add-and-norm after attention. Rerankers' head is <c>cls</c> to one output (then tanh).
/// </summary>
internal static class JinaBertV2
{
    public static ArchitectureTraits Traits { get; } = Bert.Encoder("jina-bert-v2", EncoderKind.JinaBertV2);
}
