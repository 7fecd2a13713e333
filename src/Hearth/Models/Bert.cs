using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// <c>bert</c> (all-MiniLM, bge, e5, bge-reranker, …), <c>nomic-bert</c> (nomic-embed-text v1) and
/// <c>nomic-bert-moe</c> (nomic-embed-text v2): bidirectional encoders for embeddings and reranking
/// (<see cref="Encoder"/>). bert adds learned absolute positions and uses a GELU feed-forward with biases; nomic-bert
/// rotates queries and keys (NeoX rope) and gates its feed-forward with SiLU; nomic-bert-moe rotates, uses bert's GELU
/// feed-forward, and every <c>moe_every_n_layers</c>-th block (block % n == 1) a mixture of GELU experts.
/// The pooling comes from the file's <c>pooling_type</c>.
/// </summary>
internal static class Bert
{
    public static ArchitectureTraits Traits { get; } = Encoder("bert", EncoderKind.Bert);

    public static ArchitectureTraits NomicTraits { get; } = Encoder("nomic-bert", EncoderKind.NomicBert);

    public static ArchitectureTraits NomicMoeTraits { get; } = Encoder("nomic-bert-moe", EncoderKind.NomicBertMoe);

    /// <summary>An encoder architecture of the bert graph; rotary unless it has absolute positions or ALiBi.</summary>
    internal static ArchitectureTraits Encoder(string name, EncoderKind kind) => new()
    {
        Name = name,
        RopeStyle = RopeStyle.NeoX,
        Configure = kind == EncoderKind.ModernBert ? (c, file) => c.ReadModernBert(file) : (c, file) => c.ReadEncoder(file),
        CreateEncoder = (file, c) =>
        {
            var weights = EncoderWeights.Load(file, c, kind);
            bool rotary = kind is EncoderKind.NomicBert or EncoderKind.NomicBertMoe or EncoderKind.ModernBert;
            var rope = rotary ? new Rope(c.RopeDimensionCount, RopeStyle.NeoX, c.RopeFreqBase, c.RopeFreqScale, null) : null;
            return new Encoder(c, weights, rope);
        },
    };
}
