using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Hearth.Numerics;

namespace Hearth.Gguf;

/// <summary>
/// Builds a GGUF file (version 2 or 3) from metadata and tensors. The layout follows ggml's own writer: header,
/// metadata in insertion order, tensor infos, zero padding up to the alignment, then each tensor's data padded with
/// zeros to the alignment, offsets assigned in the order tensors were added (a file without tensors stops after the
/// tensor infos, unpadded, like llama.cpp's vocabulary-only files). The alignment is
/// <c>general.alignment</c> when set, else 32. Writing an opened file back (<see cref="From"/>) reproduces it byte for byte.
/// </summary>
internal sealed class GgufWriter
{
    private readonly List<KeyValuePair<string, GgufValue>> _metadata = [];
    private readonly Dictionary<string, int> _metadataIndex = new(StringComparer.Ordinal);
    private readonly List<PendingTensor> _tensors = [];
    private readonly HashSet<string> _tensorNames = new(StringComparer.Ordinal);

    public GgufWriter(uint version = 3)
    {
        // Versions 2 and 3 share one little-endian layout (3 only allowed big-endian files, which Hearth does not write).
        if (version is not (2 or 3)) throw new ArgumentOutOfRangeException(nameof(version), version, "GGUF versions 2 and 3 can be written.");
        Version = version;
    }

    public uint Version { get; }

    /// <summary>Metadata in the order it will be written.</summary>
    public IReadOnlyList<KeyValuePair<string, GgufValue>> MetadataEntries => _metadata;

    /// <summary>Sets a metadata value; a new key goes last, an existing key is replaced where it stands.</summary>
    public void SetMetadata(string key, GgufValue value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        ValidateValue(key, value, value.Type, value.Value, depth: 0);
        if (key == GgufReader.AlignmentKey) AlignmentOf(value);
        if (_metadataIndex.TryGetValue(key, out int i))
        {
            _metadata[i] = new(key, value);
        }
        else
        {
            _metadataIndex.Add(key, _metadata.Count);
            _metadata.Add(new(key, value));
        }
    }

    /// <summary>
    /// Adds a tensor. <paramref name="dimensions"/> are in ggml order (<c>[0]</c> is the row length);
    /// <paramref name="data"/> must hold exactly the ggml size of that shape and is not copied: keep it alive and
    /// unchanged until the file is written.
    /// </summary>
    public void AddTensor(string name, GgmlType type, long[] dimensions, ReadOnlyMemory<byte> data)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(dimensions);
        if (!GgmlTypeSizes.TryGet(type, out int blockSize, out int blockBytes))
        {
            throw new ArgumentException($"Tensor '{name}': unknown ggml type id {(uint)type}.", nameof(type));
        }
        if (dimensions.Length is 0 or > GgufReader.MaxDimensions)
        {
            throw new ArgumentException($"Tensor '{name}' has {dimensions.Length} dimensions; 1 to {GgufReader.MaxDimensions} are allowed.", nameof(dimensions));
        }
        long elements = 1;
        foreach (long d in dimensions)
        {
            if (d < 0) throw new ArgumentException($"Tensor '{name}' has a negative dimension {d}.", nameof(dimensions));
            if (d != 0 && elements > long.MaxValue / d) throw new ArgumentException($"Tensor '{name}' element count overflows 64 bits.", nameof(dimensions));
            elements *= d;
        }
        if (dimensions[0] % blockSize != 0)
        {
            throw new ArgumentException($"Tensor '{name}' row length {dimensions[0]} is not a multiple of {type}'s block size {blockSize}.", nameof(dimensions));
        }
        long byteSize = elements / blockSize * blockBytes;
        if (data.Length != byteSize)
        {
            throw new ArgumentException($"Tensor '{name}' ({type} [{string.Join(", ", dimensions)}]) needs {byteSize} bytes of data, got {data.Length}.", nameof(data));
        }
        if (!_tensorNames.Add(name)) throw new ArgumentException($"A tensor named '{name}' was already added.", nameof(name));
        _tensors.Add(new PendingTensor(name, type, (long[])dimensions.Clone(), data));
    }

    /// <summary>
    /// A writer holding <paramref name="file"/>'s metadata (same order and types) and tensors (same order and data).
    /// Tensor data is not copied: <paramref name="file"/> must stay open until writing is done.
    /// </summary>
    public static GgufWriter From(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var w = new GgufWriter(file.Version);
        foreach (var kv in file.MetadataEntries) w.SetMetadata(kv.Key, kv.Value);
        foreach (var t in file.Tensors) w.AddTensorFrom(file, t);
        return w;
    }

    /// <summary>Adds a tensor of an open file as a view over its mapping (no copy; the file must stay open until writing is done).</summary>
    public unsafe void AddTensorFrom(GgufFile file, GgufTensorInfo t)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(t);
        if (t.ByteSize > int.MaxValue) throw new NotSupportedException($"Tensor '{t.Name}' is {t.ByteSize} bytes; tensors over 2 GiB cannot be rewritten yet.");
        var memory = new UnmanagedMemory(file.GetTensorPointer(t), (int)t.ByteSize).Memory;
        var dims = new long[t.Dimensions.Count];
        for (int i = 0; i < dims.Length; i++) dims[i] = t.Dimensions[i];
        AddTensor(t.Name, t.Type, dims, memory);
    }

    public void WriteTo(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        WriteTo(stream);
    }

    public byte[] ToArray()
    {
        using var stream = new MemoryStream();
        WriteTo(stream);
        return stream.ToArray();
    }

    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long alignment = _metadataIndex.TryGetValue(GgufReader.AlignmentKey, out int ai)
            ? AlignmentOf(_metadata[ai].Value)
            : GgufFile.DefaultAlignment;

        var h = new ArrayBufferWriter<byte>(4096);
        PutUInt32(h, GgufFile.Magic);
        PutUInt32(h, Version);
        PutUInt64(h, (ulong)_tensors.Count);
        PutUInt64(h, (ulong)_metadata.Count);
        foreach (var kv in _metadata)
        {
            PutString(h, kv.Key, null);
            PutUInt32(h, (uint)kv.Value.Type);
            PutValue(h, kv.Value);
        }
        long offset = 0;
        foreach (var t in _tensors)
        {
            PutString(h, t.Name, null);
            PutUInt32(h, (uint)t.Dimensions.Length);
            foreach (long d in t.Dimensions) PutUInt64(h, (ulong)d);
            PutUInt32(h, (uint)t.Type);
            PutUInt64(h, (ulong)offset);
            offset = GgufReader.AlignUp(offset + t.Data.Length, alignment);
        }
        // A file without tensors has no data section and ends right after the header: that is how vocabulary-only files
        // (llama.cpp's models/ggml-vocab-*.gguf) are written, and how they round-trip.
        int headerPad = _tensors.Count == 0 ? 0 : (int)(GgufReader.AlignUp(h.WrittenCount, alignment) - h.WrittenCount);
        h.GetSpan(headerPad)[..headerPad].Clear();
        h.Advance(headerPad);
        stream.Write(h.WrittenSpan);

        byte[] zeros = new byte[alignment];
        foreach (var t in _tensors)
        {
            stream.Write(t.Data.Span);
            int pad = (int)(GgufReader.AlignUp(t.Data.Length, alignment) - t.Data.Length);
            stream.Write(zeros, 0, pad);
        }
    }

    private static long AlignmentOf(GgufValue value)
    {
        if (value.Value is not uint a || value.Type != GgufValueType.UInt32)
        {
            throw new ArgumentException($"{GgufReader.AlignmentKey} must be a uint32, not {value.Type}.", nameof(value));
        }
        if (a == 0 || (a & (a - 1)) != 0) throw new ArgumentException($"{GgufReader.AlignmentKey} {a} is not a power of two.", nameof(value));
        return a;
    }

    /// <summary>Checks that the CLR value matches the declared GGUF type, so the file written is the file meant.</summary>
    private static void ValidateValue(string key, GgufValue owner, GgufValueType type, object value, int depth)
    {
        bool ok = type switch
        {
            GgufValueType.UInt8 => value is byte,
            GgufValueType.Int8 => value is sbyte,
            GgufValueType.UInt16 => value is ushort,
            GgufValueType.Int16 => value is short,
            GgufValueType.UInt32 => value is uint,
            GgufValueType.Int32 => value is int,
            GgufValueType.Float32 => value is float,
            GgufValueType.Bool => value is bool,
            GgufValueType.String => value is string,
            GgufValueType.UInt64 => value is ulong,
            GgufValueType.Int64 => value is long,
            GgufValueType.Float64 => value is double,
            GgufValueType.Array => depth <= 8 && IsArrayOf(owner.ElementType, value),
            _ => false,
        };
        if (!ok)
        {
            throw new ArgumentException($"Metadata '{key}': a {type} value cannot hold {value.GetType().Name}.", nameof(owner));
        }
        if (type == GgufValueType.Array && value is GgufValue[] inner)
        {
            foreach (var v in inner) ValidateValue(key, v, v.Type, v.Value, depth + 1);
        }
    }

    private static bool IsArrayOf(GgufValueType elementType, object value) => elementType switch
    {
        GgufValueType.UInt8 => value is byte[],
        GgufValueType.Int8 => value is sbyte[],
        GgufValueType.UInt16 => value is ushort[],
        GgufValueType.Int16 => value is short[],
        GgufValueType.UInt32 => value is uint[],
        GgufValueType.Int32 => value is int[],
        GgufValueType.Float32 => value is float[],
        GgufValueType.Bool => value is bool[],
        GgufValueType.String => value is string[],
        GgufValueType.UInt64 => value is ulong[],
        GgufValueType.Int64 => value is long[],
        GgufValueType.Float64 => value is double[],
        GgufValueType.Array => value is GgufValue[] a && Array.TrueForAll(a, v => v.Type == GgufValueType.Array),
        _ => false,
    };

    private static void PutValue(ArrayBufferWriter<byte> h, GgufValue v)
    {
        switch (v.Value)
        {
            case byte x: PutByte(h, x); break;
            case sbyte x: PutByte(h, (byte)x); break;
            case ushort x: PutUInt16(h, x); break;
            case short x: PutUInt16(h, (ushort)x); break;
            case uint x: PutUInt32(h, x); break;
            case int x: PutUInt32(h, (uint)x); break;
            case float x: PutUInt32(h, (uint)BitConverter.SingleToInt32Bits(x)); break;
            case bool x: PutByte(h, x ? (byte)1 : (byte)0); break;
            case string x: PutString(h, x, v.RawString); break;
            case ulong x: PutUInt64(h, x); break;
            case long x: PutUInt64(h, (ulong)x); break;
            case double x: PutUInt64(h, (ulong)BitConverter.DoubleToInt64Bits(x)); break;
            case Array a: PutArray(h, v, a); break;
            default: throw new InvalidOperationException($"Unsupported metadata value {v.Value.GetType().Name}.");
        }
    }

    private static void PutArray(ArrayBufferWriter<byte> h, GgufValue v, Array a)
    {
        PutUInt32(h, (uint)v.ElementType);
        PutUInt64(h, (ulong)a.Length);
        switch (a)
        {
            case string[] s:
                for (int i = 0; i < s.Length; i++) PutString(h, s[i], v.RawStringElements?[i]);
                break;
            case bool[] b:
                foreach (bool x in b) PutByte(h, x ? (byte)1 : (byte)0);
                break;
            case GgufValue[] inner:
                // Nested arrays carry no per-element type tag: the outer element type already says "array".
                foreach (var x in inner) PutArray(h, x, (Array)x.Value);
                break;
            // Primitive arrays are stored little-endian, as they are in memory on every host Hearth runs on.
            case byte[] x: h.Write(x); break;
            case sbyte[] x: h.Write(MemoryMarshal.AsBytes(x.AsSpan())); break;
            case ushort[] x: h.Write(MemoryMarshal.AsBytes(x.AsSpan())); break;
            case short[] x: h.Write(MemoryMarshal.AsBytes(x.AsSpan())); break;
            case uint[] x: h.Write(MemoryMarshal.AsBytes(x.AsSpan())); break;
            case int[] x: h.Write(MemoryMarshal.AsBytes(x.AsSpan())); break;
            case float[] x: h.Write(MemoryMarshal.AsBytes(x.AsSpan())); break;
            case ulong[] x: h.Write(MemoryMarshal.AsBytes(x.AsSpan())); break;
            case long[] x: h.Write(MemoryMarshal.AsBytes(x.AsSpan())); break;
            case double[] x: h.Write(MemoryMarshal.AsBytes(x.AsSpan())); break;
            default: throw new InvalidOperationException($"Unsupported metadata array {a.GetType().Name}.");
        }
    }

    private static void PutString(ArrayBufferWriter<byte> h, string s, byte[]? raw)
    {
        if (raw != null)
        {
            PutUInt64(h, (ulong)raw.Length);
            h.Write(raw);
            return;
        }
        int n = Encoding.UTF8.GetByteCount(s);
        PutUInt64(h, (ulong)n);
        Encoding.UTF8.GetBytes(s, h.GetSpan(n));
        h.Advance(n);
    }

    private static void PutByte(ArrayBufferWriter<byte> h, byte v)
    {
        h.GetSpan(1)[0] = v;
        h.Advance(1);
    }

    private static void PutUInt16(ArrayBufferWriter<byte> h, ushort v)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(h.GetSpan(2), v);
        h.Advance(2);
    }

    private static void PutUInt32(ArrayBufferWriter<byte> h, uint v)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(h.GetSpan(4), v);
        h.Advance(4);
    }

    private static void PutUInt64(ArrayBufferWriter<byte> h, ulong v)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(h.GetSpan(8), v);
        h.Advance(8);
    }

    private sealed record PendingTensor(string Name, GgmlType Type, long[] Dimensions, ReadOnlyMemory<byte> Data);
}
