using Hearth.Numerics;

namespace Hearth.Gguf;

/// <summary>A tensor's header entry: name, shape (ggml order: <c>Dimensions[0]</c> is the row length), type and data offset.</summary>
public sealed class GgufTensorInfo
{
    /// <summary>A tensor entry of the header: its name, shape, type and offset in the data section.</summary>
    public GgufTensorInfo(string name, long[] dimensions, GgmlType type, long offset, long byteSize)
    {
        Name = name;
        Dimensions = dimensions;
        Type = type;
        Offset = offset;
        ByteSize = byteSize;
    }

    /// <summary>The tensor name (e.g. <c>blk.0.attn_q.weight</c>).</summary>
    public string Name { get; }

    /// <summary>ggml order: ne[0] (contiguous, the row length), ne[1] (rows), ...</summary>
    public IReadOnlyList<long> Dimensions { get; }

    /// <summary>The element type.</summary>
    public GgmlType Type { get; }

    /// <summary>Offset of the data relative to the start of the tensor data section.</summary>
    public long Offset { get; }

    /// <summary>Bytes of data.</summary>
    public long ByteSize { get; }

    /// <summary>Index of the split part holding the data (0 for an unsplit file); <see cref="Offset"/> is relative to that part's data section.</summary>
    internal int Part { get; init; }

    /// <summary>Number of elements (the product of the dimensions).</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (long d in Dimensions) n *= d;
            return n;
        }
    }

    /// <summary>Elements per row (ne[0]).</summary>
    public long Columns => Dimensions.Count > 0 ? Dimensions[0] : 1;

    /// <summary>Number of rows: the product of every dimension after the first.</summary>
    public long Rows => Columns == 0 ? 0 : ElementCount / Columns;

    /// <summary>Name, type and shape.</summary>
    public override string ToString() => $"{Name} {Type} [{string.Join(", ", Dimensions)}]";
}
