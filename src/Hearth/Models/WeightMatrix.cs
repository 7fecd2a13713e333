using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Models;

/// <summary>
/// A 2-D weight tensor viewed in place in the mapped file: <see cref="Rows"/> rows of <see cref="Columns"/> elements in
/// <see cref="Type"/>'s block layout (ggml order: ne[0] = columns). Nothing is copied.
/// </summary>
internal sealed unsafe class WeightMatrix
{
    public WeightMatrix(GgufTensorInfo info, byte* data)
    {
        if (info.Dimensions.Count > 2 && info.Dimensions[2] != 1)
        {
            throw new InvalidDataException($"Tensor '{info.Name}' should be a matrix but has shape [{string.Join(", ", info.Dimensions)}].");
        }
        Name = info.Name;
        Type = info.Type;
        Traits = TensorTypes.Get(info.Type);
        Columns = checked((int)info.Columns);
        Rows = checked((int)info.Rows);
        RowBytes = checked((int)Traits.RowBytes(Columns));
        Data = data;
    }

    public string Name { get; }

    public GgmlType Type { get; }

    public TensorTypeTraits Traits { get; }

    /// <summary>Elements per row (the input dimension of the projection).</summary>
    public int Columns { get; }

    /// <summary>Number of rows (the output dimension).</summary>
    public int Rows { get; }

    public int RowBytes { get; }

    public byte* Data { get; }

    public ReadOnlySpan<byte> Row(int r) => new(Data + (long)r * RowBytes, RowBytes);

    /// <summary>Dequantizes row <paramref name="r"/> into <paramref name="dst"/> (// [Columns]).</summary>
    public void DequantizeRow(int r, Span<float> dst) => Traits.Dequantize(Row(r), dst[..Columns]);
}
