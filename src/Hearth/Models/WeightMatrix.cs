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
            throw new ModelConfigurationException($"Tensor '{info.Name}' should be a matrix but has shape [{string.Join(", ", info.Dimensions)}].");
        }
        Name = info.Name;
        Type = info.Type;
        Traits = TensorTypes.Get(info.Type);
        Columns = checked((int)info.Columns);
        Rows = checked((int)info.Rows);
        RowBytes = checked((int)Traits.RowBytes(Columns));
        Data = data;
    }

    private WeightMatrix(string name, TensorTypeTraits traits, int columns, int rows, byte* data)
    {
        Name = name;
        Type = traits.Type;
        Traits = traits;
        Columns = columns;
        Rows = rows;
        RowBytes = checked((int)traits.RowBytes(columns));
        Data = data;
    }

    /// <summary>
    /// Rows [<paramref name="first"/>, first + <paramref name="count"/>) as a matrix of their own, still in place: how fused
    /// tensors (Phi-3's attn_qkv and gate+up, DeepSeek's kv_b per head) and the experts of a 3-D expert tensor are used.
    /// </summary>
    public WeightMatrix RowRange(int first, int count)
    {
        if (first < 0 || count <= 0 || first + count > Rows) throw new ArgumentOutOfRangeException(nameof(first), $"Rows {first}..{first + count} are outside '{Name}' ({Rows} rows).");
        return new WeightMatrix(Name, Traits, Columns, count, Data + (long)first * RowBytes);
    }

    /// <summary>A view of a [Columns, rows, slices] tensor: slice <paramref name="index"/> (an expert, a head), of Dimensions[1] rows.</summary>
    public static WeightMatrix Slice(GgufTensorInfo info, byte* data, int index)
    {
        var traits = TensorTypes.Get(info.Type);
        int cols = checked((int)info.Dimensions[0]);
        int rows = info.Dimensions.Count > 1 ? checked((int)info.Dimensions[1]) : 1;
        long rowBytes = traits.RowBytes(cols);
        return new WeightMatrix($"{info.Name}[{index}]", traits, cols, rows, data + index * rowBytes * rows);
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
