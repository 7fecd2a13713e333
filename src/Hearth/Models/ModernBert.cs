namespace Hearth.Models;

/// <summary>
/// <c>modern-bert</c> (ModernBERT, gte-modernbert, granite-embedding R2): a pre-norm encoder — bias-free LayerNorms
/// (none before block 0's attention), fused q/k/v, NeoX rope, a GEGLU feed-forward from one fused up projection, a final
/// LayerNorm — whose layers other than every third are local: symmetric sliding-window attention with their own rope
/// base. Its rerankers mean-pool, then apply a dense layer, GELU and a LayerNorm before <c>cls.output</c>.
/// </summary>
internal static class ModernBert
{
    public static ArchitectureTraits Traits { get; } = Bert.Encoder("modern-bert", EncoderKind.ModernBert);
}
