namespace Hearth.Numerics;

/// <summary>The traits table: one entry per tensor type Hearth computes with.</summary>
internal static class TensorTypes
{
    private static readonly TensorTypeTraits?[] Table = Build();

    public static bool IsSupported(GgmlType type) => (uint)type < (uint)Table.Length && Table[(int)type] != null;

    public static TensorTypeTraits Get(GgmlType type) =>
        IsSupported(type) ? Table[(int)type]! : throw new NotSupportedException(
            $"Tensor type {type} is not supported; supported types: {string.Join(", ", Supported)}.");

    public static IEnumerable<GgmlType> Supported
    {
        get
        {
            foreach (var t in Table)
            {
                if (t != null) yield return t.Type;
            }
        }
    }

    private static TensorTypeTraits?[] Build()
    {
        var table = new TensorTypeTraits?[64];
        void Add(TensorTypeTraits t) => table[(int)t.Type] = t;
        Add(new TensorTypeTraits
        {
            Type = GgmlType.F32,
            BlockSize = 1,
            BytesPerBlock = 4,
            Dequantize = FloatFormats.DequantizeF32,
            Quantize = FloatFormats.QuantizeF32,
            VecDotType = GgmlType.F32,
            VecDot = FloatFormats.DotF32,
            VecDotReference = FloatFormats.DotF32,
        });
        return table;
    }
}
