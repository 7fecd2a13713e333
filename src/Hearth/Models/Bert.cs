using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// <c>bert</c> (all-MiniLM, bge, e5, bge-reranker, …) and <c>nomic-bert</c> (nomic-embed-text): bidirectional encoders
/// for embeddings and reranking (<see cref="Encoder"/>). bert adds learned absolute positions and uses a GELU
/// feed-forward with biases; nomic-bert rotates queries and keys (NeoX rope) and gates its feed-forward with SiLU.
/// The pooling comes from the file's <c>pooling_type</c>.
/// </summary>
internal static class Bert
{
    public static ArchitectureTraits Traits { get; } = Encoder("bert", absolutePositions: true, gated: false);

    public static ArchitectureTraits NomicTraits { get; } = Encoder("nomic-bert", absolutePositions: false, gated: true);

    private static ArchitectureTraits Encoder(string name, bool absolutePositions, bool gated) => new()
    {
        Name = name,
        RopeStyle = RopeStyle.NeoX,
        Configure = (c, file) => c.ReadEncoder(file),
        CreateEncoder = (file, c) =>
        {
            var weights = EncoderWeights.Load(file, c, absolutePositions, gated);
            var rope = absolutePositions ? null : new Rope(c.RopeDimensionCount, RopeStyle.NeoX, c.RopeFreqBase, c.RopeFreqScale, null);
            return new Encoder(c, weights, rope);
        },
    };
}
