using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;
using Hearth.Numerics;

namespace Hearth.Gguf;

/// <summary>
/// Parses and validates a GGUF header from raw memory. Every length and count is checked against the bytes that remain
/// before anything is allocated from it, so a hostile file cannot cause a huge allocation, a crash or a hang.
/// </summary>
internal static unsafe class GgufReader
{
    /// <summary>ggml's GGML_MAX_DIMS.</summary>
    internal const int MaxDimensions = 4;

    internal sealed record Header(
        uint Version,
        long Alignment,
        long DataOffset,
        IReadOnlyList<KeyValuePair<string, GgufValue>> Metadata,
        IReadOnlyList<GgufTensorInfo> Tensors);

    public static Header Parse(byte* data, long length, int part = 0)
    {
        var c = new Cursor(data, length);
        if (length < 4) throw new GgufFormatException($"File is truncated: {length} bytes, too short for the GGUF magic", 0);
        uint magic = c.ReadUInt32();
        if (magic != GgufFile.Magic)
        {
            throw new GgufFormatException($"Bad magic 0x{magic:X8}: not a GGUF file (expected the bytes 'GGUF')", 0);
        }
        long versionOffset = c.Position;
        uint version = c.ReadUInt32();
        if (version == 1) throw new GgufFormatException("GGUF version 1 is not supported (it used 32-bit counts); re-convert the model to version 2 or 3", versionOffset);
        if (version is not (2 or 3)) throw new GgufFormatException($"Unsupported GGUF version {version}; supported versions are 2 and 3", versionOffset);

        long tensorCountOffset = c.Position;
        ulong tensorCount = c.ReadUInt64();
        long kvCountOffset = c.Position;
        ulong kvCount = c.ReadUInt64();

        // Each metadata entry takes at least 8 (key length) + 4 (type) + 1 (smallest value) bytes; each tensor info at
        // least 8 (name length) + 4 (n_dims) + 4 (type) + 8 (offset).
        if (kvCount > (ulong)(c.Remaining / 13))
        {
            throw new GgufFormatException($"Metadata count {kvCount} cannot fit in the {c.Remaining} bytes left in the file", kvCountOffset);
        }
        if (tensorCount > (ulong)(c.Remaining / 24))
        {
            throw new GgufFormatException($"Tensor count {tensorCount} cannot fit in the {c.Remaining} bytes left in the file", tensorCountOffset);
        }

        // Capacities are capped: the counts were only checked against the file size, which may be many gigabytes.
        var metadata = new List<KeyValuePair<string, GgufValue>>((int)Math.Min(kvCount, 4096));
        var keys = new HashSet<string>(StringComparer.Ordinal);
        long alignment = GgufFile.DefaultAlignment;
        for (ulong i = 0; i < kvCount; i++)
        {
            long keyOffset = c.Position;
            string key = c.ReadString(StringContext.MetadataKey, null, -1, out _);
            if (!keys.Add(key)) throw new GgufFormatException($"Duplicate metadata key '{key}'", keyOffset);
            long typeOffset = c.Position;
            var type = (GgufValueType)c.ReadUInt32();
            var value = ReadValue(ref c, type, key, typeOffset, depth: 0);
            metadata.Add(new(key, value));
            if (key == AlignmentKey) alignment = ValidateAlignment(value, typeOffset);
        }

        var tensors = new List<GgufTensorInfo>((int)Math.Min(tensorCount, 4096));
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (ulong i = 0; i < tensorCount; i++)
        {
            long infoOffset = c.Position;
            string name = c.ReadString(StringContext.TensorName, null, -1, out _);
            if (!names.Add(name)) throw new GgufFormatException($"Duplicate tensor name '{name}'", infoOffset);
            long dimsOffset = c.Position;
            uint nDims = c.ReadUInt32();
            if (nDims == 0 || nDims > MaxDimensions) throw new GgufFormatException($"Tensor '{name}' has {nDims} dimensions; 1 to {MaxDimensions} are allowed", dimsOffset);
            var dims = new long[nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++)
            {
                long dimOffset = c.Position;
                ulong ne = c.ReadUInt64();
                if (ne > long.MaxValue) throw new GgufFormatException($"Tensor '{name}' dimension {d} is {ne}, beyond any file", dimOffset);
                dims[d] = (long)ne;
                if (ne != 0 && elements > long.MaxValue / (long)ne) throw new GgufFormatException($"Tensor '{name}' element count overflows 64 bits", dimOffset);
                elements *= (long)ne;
            }
            long typeOffset = c.Position;
            var type = (GgmlType)c.ReadUInt32();
            if (!GgmlTypeSizes.TryGet(type, out int blockSize, out int blockBytes))
            {
                throw new GgufFormatException($"Tensor '{name}' has unknown tensor type id {(uint)type}", typeOffset);
            }
            if (dims[0] % blockSize != 0)
            {
                throw new GgufFormatException($"Tensor '{name}' row length {dims[0]} is not a multiple of {type}'s block size {blockSize}", dimsOffset);
            }
            long offOffset = c.Position;
            ulong offset = c.ReadUInt64();
            if (offset % (ulong)alignment != 0) throw new GgufFormatException($"Tensor '{name}' data offset {offset} is not a multiple of the alignment {alignment}", offOffset);
            long blocks = elements / blockSize;
            if (blocks > long.MaxValue / blockBytes) throw new GgufFormatException($"Tensor '{name}' byte size overflows 64 bits", dimsOffset);
            long byteSize = blocks * blockBytes;
            if (offset > (ulong)length) throw new GgufFormatException($"Tensor '{name}' data offset {offset} lies beyond the end of the file ({length} bytes)", offOffset);
            tensors.Add(new GgufTensorInfo(name, dims, type, (long)offset, byteSize) { Part = part });
        }

        long dataOffset = AlignUp(c.Position, alignment);
        if (tensors.Count > 0 && dataOffset > length)
        {
            throw new GgufFormatException($"File is truncated: tensor data should start at byte {dataOffset} but the file has {length} bytes", length);
        }
        foreach (var t in tensors)
        {
            long start = dataOffset + t.Offset;
            if (start < dataOffset || start > length || t.ByteSize > length - start)
            {
                throw new GgufFormatException(
                    $"Tensor '{t.Name}' data ({t.ByteSize} bytes at {start}) lies outside the file ({length} bytes): the file is truncated or corrupt",
                    start);
            }
        }
        return new Header(version, alignment, dataOffset, metadata, tensors);
    }

    internal const string AlignmentKey = "general.alignment";

    /// <summary>ggml reads general.alignment as a uint32 and requires a power of two; anything else is refused.</summary>
    private static long ValidateAlignment(GgufValue value, long typeOffset)
    {
        if (value.Type != GgufValueType.UInt32)
        {
            throw new GgufFormatException($"{AlignmentKey} must be a uint32, found {value.Type}", typeOffset);
        }
        uint a = (uint)value.Value;
        if (a == 0 || (a & (a - 1)) != 0)
        {
            throw new GgufFormatException($"{AlignmentKey} {a} is not a power of two", typeOffset + 4);
        }
        return a;
    }

    internal static long AlignUp(long offset, long alignment) => (offset + alignment - 1) / alignment * alignment;

    private static GgufValue ReadValue(ref Cursor c, GgufValueType type, string key, long typeOffset, int depth)
    {
        switch (type)
        {
            case GgufValueType.UInt8: return new(type, c.ReadByte());
            case GgufValueType.Int8: return new(type, (sbyte)c.ReadByte());
            case GgufValueType.UInt16: return new(type, c.ReadUInt16());
            case GgufValueType.Int16: return new(type, (short)c.ReadUInt16());
            case GgufValueType.UInt32: return new(type, c.ReadUInt32());
            case GgufValueType.Int32: return new(type, (int)c.ReadUInt32());
            case GgufValueType.Float32: return new(type, BitConverter.Int32BitsToSingle((int)c.ReadUInt32()));
            case GgufValueType.UInt64: return new(type, c.ReadUInt64());
            case GgufValueType.Int64: return new(type, (long)c.ReadUInt64());
            case GgufValueType.Float64: return new(type, BitConverter.Int64BitsToDouble((long)c.ReadUInt64()));
            case GgufValueType.Bool:
                {
                    long at = c.Position;
                    byte b = c.ReadByte();
                    if (b > 1) throw new GgufFormatException($"Metadata '{key}': bool value {b} is neither 0 nor 1", at);
                    return new(type, b != 0);
                }
            case GgufValueType.String:
                {
                    string s = c.ReadString(StringContext.Value, key, -1, out byte[]? raw);
                    return raw == null ? new(type, s) : new(s, raw);
                }
            case GgufValueType.Array:
                {
                    if (depth > 8) throw new GgufFormatException($"Metadata '{key}': arrays nested deeper than 8 levels", typeOffset);
                    long elemTypeOffset = c.Position;
                    var elemType = (GgufValueType)c.ReadUInt32();
                    long countOffset = c.Position;
                    ulong count = c.ReadUInt64();
                    int minSize = MinValueSize(elemType);
                    if (minSize == 0) throw new GgufFormatException($"Metadata '{key}': unknown array element type {(uint)elemType}", elemTypeOffset);
                    // int.MaxValue / minSize keeps both the element count and the byte count within what a CLR array holds.
                    if (count > (ulong)(c.Remaining / minSize) || count > (ulong)(int.MaxValue / minSize))
                    {
                        throw new GgufFormatException($"Metadata '{key}': array of {count} {elemType} cannot fit in the {c.Remaining} bytes left in the file", countOffset);
                    }
                    var array = ReadArray(ref c, elemType, (int)count, key, elemTypeOffset, depth, out byte[]?[]? raw);
                    return raw == null ? new(type, array, elemType) : new((string[])array, raw);
                }
            default:
                throw new GgufFormatException($"Metadata '{key}': unknown value type {(uint)type}", typeOffset);
        }
    }

    private static Array ReadArray(ref Cursor c, GgufValueType elemType, int n, string key, long typeOffset, int depth, out byte[]?[]? raw)
    {
        raw = null;
        switch (elemType)
        {
            case GgufValueType.UInt8: return c.ReadSpan(n).ToArray();
            case GgufValueType.Int8: { var a = new sbyte[n]; c.ReadSpan(n).CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan())); return a; }
            case GgufValueType.UInt16: return ReadPrimitive<ushort>(ref c, n);
            case GgufValueType.Int16: return ReadPrimitive<short>(ref c, n);
            case GgufValueType.UInt32: return ReadPrimitive<uint>(ref c, n);
            case GgufValueType.Int32: return ReadPrimitive<int>(ref c, n);
            case GgufValueType.Float32: return ReadPrimitive<float>(ref c, n);
            case GgufValueType.UInt64: return ReadPrimitive<ulong>(ref c, n);
            case GgufValueType.Int64: return ReadPrimitive<long>(ref c, n);
            case GgufValueType.Float64: return ReadPrimitive<double>(ref c, n);
            case GgufValueType.Bool:
                {
                    var a = new bool[n];
                    for (int i = 0; i < n; i++)
                    {
                        long at = c.Position;
                        byte b = c.ReadByte();
                        if (b > 1) throw new GgufFormatException($"Metadata '{key}': bool value {b} is neither 0 nor 1", at);
                        a[i] = b != 0;
                    }
                    return a;
                }
            case GgufValueType.String:
                {
                    var a = new string[n];
                    for (int i = 0; i < n; i++)
                    {
                        // The context is passed as parts and formatted only on error: building a message per element
                        // made a long key on a long string array quadratic in the file size.
                        a[i] = c.ReadString(StringContext.Value, key, i, out byte[]? r);
                        if (r != null) (raw ??= new byte[]?[n])[i] = r;
                    }
                    return a;
                }
            case GgufValueType.Array:
                {
                    var a = new GgufValue[n];
                    for (int i = 0; i < n; i++) a[i] = ReadValue(ref c, GgufValueType.Array, key, typeOffset, depth + 1);
                    return a;
                }
            default:
                throw new GgufFormatException($"Metadata '{key}': unknown array element type {(uint)elemType}", typeOffset);
        }
    }

    private static T[] ReadPrimitive<T>(ref Cursor c, int n)
        where T : unmanaged
    {
        var a = new T[n];
        c.ReadSpan(checked(n * sizeof(T))).CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan()));
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Big-endian hosts are not supported.");
        return a;
    }

    /// <summary>Smallest encoding of one value of a type; 0 for an unknown type.</summary>
    private static int MinValueSize(GgufValueType t) => t switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 => 8,
        GgufValueType.String => 8,
        GgufValueType.Array => 12,
        _ => 0,
    };

    /// <summary>What a string being read is, for error messages.</summary>
    private enum StringContext
    {
        MetadataKey,
        TensorName,
        Value,
    }

    private static string Describe(StringContext context, string? key, int index) => context switch
    {
        StringContext.MetadataKey => "metadata key",
        StringContext.TensorName => "tensor name",
        _ => index < 0 ? $"metadata '{key}'" : $"metadata '{key}'[{index}]",
    };

    /// <summary>A bounds-checked little-endian reader over the mapped header.</summary>
    private ref struct Cursor
    {
        private readonly byte* _data;
        private readonly long _length;

        public Cursor(byte* data, long length)
        {
            _data = data;
            _length = length;
            Position = 0;
        }

        public long Position { get; private set; }

        public readonly long Remaining => _length - Position;

        private void Need(long n, string what)
        {
            if (n > Remaining)
            {
                throw new GgufFormatException($"File is truncated: {what} needs {n} bytes but only {Remaining} remain", Position);
            }
        }

        public byte ReadByte()
        {
            Need(1, "a 1-byte value");
            return _data[Position++];
        }

        public ushort ReadUInt16()
        {
            Need(2, "a 2-byte value");
            ushort v = BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(_data + Position, 2));
            Position += 2;
            return v;
        }

        public uint ReadUInt32()
        {
            Need(4, "a 4-byte value");
            uint v = BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(_data + Position, 4));
            Position += 4;
            return v;
        }

        public ulong ReadUInt64()
        {
            Need(8, "an 8-byte value");
            ulong v = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(_data + Position, 8));
            Position += 8;
            return v;
        }

        public ReadOnlySpan<byte> ReadSpan(int n)
        {
            Need(n, $"{n} bytes of array data");
            var s = new ReadOnlySpan<byte>(_data + Position, n);
            Position += n;
            return s;
        }

        /// <summary>
        /// Reads a length-prefixed string; <paramref name="raw"/> gets its bytes when they are not valid UTF-8. What the
        /// string is (<paramref name="context"/>, the value's key, the array index or -1) only names it in an error.
        /// </summary>
        public string ReadString(StringContext context, string? key, int index, out byte[]? raw)
        {
            long at = Position;
            if (Remaining < 8)
            {
                throw new GgufFormatException($"File is truncated: {Describe(context, key, index)} needs 8 bytes for its length but only {Remaining} remain", at);
            }
            ulong len = ReadUInt64();
            if (len > (ulong)Remaining)
            {
                throw new GgufFormatException($"File is truncated or corrupt: {Describe(context, key, index)} claims {len} bytes but only {Remaining} remain", at);
            }
            if (len > int.MaxValue)
            {
                throw new GgufFormatException($"File is corrupt: {Describe(context, key, index)} claims {len} bytes, more than a string can hold", at);
            }
            var bytes = new ReadOnlySpan<byte>(_data + Position, (int)len);
            Position += (long)len;
            // GGUF strings are UTF-8; invalid sequences (seen in some vocabularies' byte tokens) decode with U+FFFD
            // rather than failing the whole file, matching how llama.cpp keeps loading. The bytes are kept so a
            // rewrite is exact.
            raw = Utf8.IsValid(bytes) ? null : bytes.ToArray();
            return Encoding.UTF8.GetString(bytes);
        }
    }
}
