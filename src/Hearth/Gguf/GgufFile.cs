using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using Hearth.Numerics;

namespace Hearth.Gguf;

/// <summary>
/// A GGUF file (versions 2 and 3) opened over a read-only memory mapping. The header is parsed and validated once;
/// tensor data is never copied: <see cref="GetTensorData"/> returns a view into the mapping.
/// </summary>
public sealed unsafe class GgufFile : IDisposable
{
    /// <summary>"GGUF" read as a little-endian uint32.</summary>
    internal const uint Magic = 0x46554747;

    internal const uint DefaultAlignment = 32;

    private readonly MemoryMappedFile? _mapping;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly GCHandle _pinned;
    private readonly Dictionary<string, GgufValue> _metadata;
    private readonly Dictionary<string, GgufTensorInfo> _tensorsByName;
    private byte* _base;
    private bool _disposed;

    private GgufFile(string? path, MemoryMappedFile? mapping, MemoryMappedViewAccessor? view, GCHandle pinned, byte* basePtr, long length)
    {
        Path = path;
        _mapping = mapping;
        _view = view;
        _pinned = pinned;
        _base = basePtr;
        Length = length;
        var header = GgufReader.Parse(basePtr, length);
        Version = header.Version;
        Alignment = header.Alignment;
        DataOffset = header.DataOffset;
        MetadataEntries = header.Metadata;
        Tensors = header.Tensors;
        _metadata = new Dictionary<string, GgufValue>(header.Metadata.Count, StringComparer.Ordinal);
        foreach (var kv in header.Metadata) _metadata[kv.Key] = kv.Value;
        _tensorsByName = new Dictionary<string, GgufTensorInfo>(header.Tensors.Count, StringComparer.Ordinal);
        foreach (var t in header.Tensors) _tensorsByName[t.Name] = t;
    }

    /// <summary>The file path, or null for a file parsed from memory.</summary>
    public string? Path { get; }

    public long Length { get; }

    public uint Version { get; }

    public long Alignment { get; }

    /// <summary>Absolute file offset of the tensor data section.</summary>
    public long DataOffset { get; }

    /// <summary>Metadata in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, GgufValue>> MetadataEntries { get; }

    public IReadOnlyDictionary<string, GgufValue> Metadata => _metadata;

    /// <summary>Tensor infos in file order.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary>Maps <paramref name="path"/> read-only and parses its header.</summary>
    public static GgufFile Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var info = new FileInfo(path);
        // A symbolic link's FileInfo describes the link itself; measure (and map) the file it points to.
        if (info.LinkTarget != null && info.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target) info = target;
        if (!info.Exists) throw new FileNotFoundException($"GGUF file not found: {path}", path);
        long length = info.Length;
        // An empty file cannot be mapped; anything longer goes to the parser, which reports bad magic or truncation.
        if (length == 0) throw new GgufFormatException($"File '{path}' is empty (0 bytes): not a GGUF file", 0);
        var mapping = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = mapping.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            byte* p = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            p += view.PointerOffset;
            try
            {
                return new GgufFile(path, mapping, view, default, p, length);
            }
            catch
            {
                view.SafeMemoryMappedViewHandle.ReleasePointer();
                throw;
            }
        }
        catch
        {
            view?.Dispose();
            mapping.Dispose();
            throw;
        }
    }

    /// <summary>Parses a GGUF image held in memory (the array is pinned for the lifetime of the object).</summary>
    public static GgufFile FromBytes(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var handle = GCHandle.Alloc(bytes, GCHandleType.Pinned);
        try
        {
            return new GgufFile(null, null, null, handle, (byte*)handle.AddrOfPinnedObject(), bytes.Length);
        }
        catch
        {
            handle.Free();
            throw;
        }
    }

    public bool TryGetValue(string key, out GgufValue value) => _metadata.TryGetValue(key, out value!);

    public GgufValue? GetValueOrNull(string key) => _metadata.TryGetValue(key, out var v) ? v : null;

    // The typed getters return null for an absent key and throw GgufFormatException, naming the key, the expected type
    // and the type found, for a value of another type: a hostile file can store anything under any key.

    /// <exception cref="GgufFormatException">The value is not a string.</exception>
    public string? GetString(string key) => _metadata.TryGetValue(key, out var v) ? v.AsString(key) : null;

    /// <summary>An integer value (any integer type, or bool).</summary>
    /// <exception cref="GgufFormatException">The value is not an integer, or is a uint64 above <see cref="long.MaxValue"/>.</exception>
    public long? GetInt64(string key) => _metadata.TryGetValue(key, out var v) ? v.AsInt64(key) : null;

    /// <summary>A numeric value (float or integer).</summary>
    /// <exception cref="GgufFormatException">The value is not a number.</exception>
    public double? GetDouble(string key) => _metadata.TryGetValue(key, out var v) ? v.AsDouble(key) : null;

    /// <summary>A bool value (or an integer, non-zero meaning true).</summary>
    /// <exception cref="GgufFormatException">The value is neither.</exception>
    public bool? GetBool(string key) => _metadata.TryGetValue(key, out var v) ? v.AsBool(key) : null;

    /// <summary>A typed array value (e.g. <c>GetArray&lt;string&gt;("tokenizer.ggml.tokens")</c>), or null when absent.</summary>
    /// <exception cref="GgufFormatException">The value is not an array of <typeparamref name="T"/>.</exception>
    public T[]? GetArray<T>(string key)
    {
        if (!_metadata.TryGetValue(key, out var v)) return null;
        return v.Value as T[] ?? throw v.WrongType(key, $"an array of {ClrTypeName(typeof(T))}");
    }

    private static string ClrTypeName(Type t) =>
        t == typeof(string) ? "string" : t == typeof(float) ? "float32" : t == typeof(double) ? "float64" : t.Name.ToLowerInvariant();

    public GgufTensorInfo? FindTensor(string name) => _tensorsByName.GetValueOrDefault(name);

    /// <summary>Pointer to the first byte of a tensor's data inside the mapping; valid until disposal.</summary>
    public byte* GetTensorPointer(GgufTensorInfo tensor)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(tensor);
        return _base + DataOffset + tensor.Offset;
    }

    /// <summary>A tensor's bytes, as a view over the mapping (tensors over 2 GiB must use <see cref="GetTensorPointer"/>).</summary>
    public ReadOnlySpan<byte> GetTensorData(GgufTensorInfo tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.ByteSize > int.MaxValue) throw new NotSupportedException($"Tensor '{tensor.Name}' is {tensor.ByteSize} bytes; use the pointer API for tensors over 2 GiB.");
        return new ReadOnlySpan<byte>(GetTensorPointer(tensor), (int)tensor.ByteSize);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _base = null;
        if (_view != null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _mapping?.Dispose();
        if (_pinned.IsAllocated) _pinned.Free();
    }
}
