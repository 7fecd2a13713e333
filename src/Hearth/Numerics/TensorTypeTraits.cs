namespace Hearth.Numerics;

/// <summary>Converts one row of <c>dst.Length</c> elements from the type's blocks to float.</summary>
internal delegate void DequantizeRow(ReadOnlySpan<byte> src, Span<float> dst);

/// <summary>Converts one row of <c>src.Length</c> floats into the type's blocks (src.Length is a multiple of the block size).</summary>
internal delegate void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst);

/// <summary>
/// Dot product of one weight row (in the traits' type) with one activation row already converted to
/// <see cref="TensorTypeTraits.VecDotType"/>; <paramref name="n"/> is the number of elements.
/// </summary>
internal delegate float VecDot(int n, ReadOnlySpan<byte> weight, ReadOnlySpan<byte> activation);

/// <summary>
/// Everything the engine knows about one tensor type, in one place (ggml's <c>type_traits</c> and
/// <c>type_traits_cpu</c>): storage geometry, conversion to and from float, and the dot kernel with the activation type it
/// pairs with (Q8_0 for the 32-element formats, Q8_1 for Q4_1/Q5_1, Q8_K for K-quants, as ggml pairs them).
/// </summary>
internal sealed class TensorTypeTraits
{
    public required GgmlType Type { get; init; }

    /// <summary>Elements per block.</summary>
    public required int BlockSize { get; init; }

    public required int BytesPerBlock { get; init; }

    public required DequantizeRow Dequantize { get; init; }

    /// <summary>Reference quantizer, or null where Hearth has none for this type yet.</summary>
    public QuantizeRow? Quantize { get; init; }

    /// <summary>The type activations are converted to before <see cref="VecDot"/>.</summary>
    public required GgmlType VecDotType { get; init; }

    /// <summary>The dot kernel (the best variant for this CPU, chosen at start-up).</summary>
    public required VecDot VecDot { get; init; }

    /// <summary>The scalar reference dot kernel that the fast one is tested against.</summary>
    public required VecDot VecDotReference { get; init; }

    /// <summary>
    /// False for the activation-only formats (Q8_1, Q8_K): they exist only as <see cref="VecDotType"/> of other types
    /// and their <see cref="VecDot"/> throws.
    /// </summary>
    public bool IsWeightType { get; init; } = true;

    public long RowBytes(long n) => n / BlockSize * BytesPerBlock;
}
