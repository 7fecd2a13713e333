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

    /// <summary>Size of the file (or image) in bytes.</summary>
    public long Length { get; }

    /// <summary>GGUF format version (2 or 3).</summary>
    public uint Version { get; }

    /// <summary>Alignment of tensor data (<c>general.alignment</c>, 32 by default).</summary>
    public long Alignment { get; }

    /// <summary>Absolute file offset of the tensor data section.</summary>
    public long DataOffset { get; }

    /// <summary>Metadata in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, GgufValue>> MetadataEntries { get; }

    /// <summary>Metadata by key.</summary>
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

    /// <summary>The value of <paramref name="key"/>, if present.</summary>
    public bool TryGetValue(string key, out GgufValue value) => _metadata.TryGetValue(key, out value!);

    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public GgufValue? GetValueOrNull(string key) => _metadata.TryGetValue(key, out var v) ? v : null;

    /// <summary>A string value, or null when absent.</summary>
    public string? GetString(string key) => _metadata.TryGetValue(key, out var v) ? v.AsString() : null;

    /// <summary>An integer value (any integer type), or null when absent.</summary>
    public long? GetInt64(string key) => _metadata.TryGetValue(key, out var v) ? v.AsInt64() : null;

    /// <summary>A numeric value, or null when absent.</summary>
    public double? GetDouble(string key) => _metadata.TryGetValue(key, out var v) ? v.AsDouble() : null;

    /// <summary>A boolean value, or null when absent.</summary>
    public bool? GetBool(string key) => _metadata.TryGetValue(key, out var v) ? v.AsBool() : null;

    /// <summary>A typed array value (e.g. <c>GetArray&lt;string&gt;("tokenizer.ggml.tokens")</c>), or null when absent.</summary>
    public T[]? GetArray<T>(string key)
    {
        if (!_metadata.TryGetValue(key, out var v)) return null;
        return v.Value as T[] ?? throw new InvalidCastException($"Metadata '{key}' is {v.Type}/{v.ElementType}, not an array of {typeof(T).Name}.");
    }

    /// <summary>The tensor named <paramref name="name"/>, or null.</summary>
    public GgufTensorInfo? FindTensor(string name) => _tensorsByName.GetValueOrDefault(name);

    /// <summary>Pointer to the first byte of a tensor's data inside the mapping; valid until disposal.</summary>
    internal byte* GetTensorPointer(GgufTensorInfo tensor)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(tensor);
        return _base + DataOffset + tensor.Offset;
    }

    /// <summary>A tensor's bytes, as a view over the mapping (a tensor over 2 GiB cannot be one span).</summary>
    /// <exception cref="NotSupportedException">The tensor is over 2 GiB.</exception>
    /// <exception cref="ObjectDisposedException">The file was disposed.</exception>
    public ReadOnlySpan<byte> GetTensorData(GgufTensorInfo tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.ByteSize > int.MaxValue) throw new NotSupportedException($"Tensor '{tensor.Name}' is {tensor.ByteSize} bytes; use the pointer API for tensors over 2 GiB.");
        return new ReadOnlySpan<byte>(GetTensorPointer(tensor), (int)tensor.ByteSize);
    }

    /// <summary>Set when a <see cref="Model"/> reads this file: then only the model releases the mapping.</summary>
    internal bool OwnedByModel { get; set; }

    /// <summary>Unmaps the file. Idempotent. A file a <see cref="Model"/> runs on is released by disposing the model.</summary>
    /// <exception cref="InvalidOperationException">The file belongs to a <see cref="Model"/> (its weights are read from the mapping).</exception>
    public void Dispose()
    {
        if (OwnedByModel && !_disposed)
        {
            throw new InvalidOperationException("This GgufFile belongs to a Model, whose weights are views into its mapping: dispose the Model instead.");
        }
        Release();
    }

    /// <summary>Unmaps the file (the owning model's last reference is gone).</summary>
    internal void Release()
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
