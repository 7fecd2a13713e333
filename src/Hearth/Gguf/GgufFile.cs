namespace Hearth.Gguf;

/// <summary>
/// A GGUF file (versions 2 and 3) opened over a read-only memory mapping. The header is parsed and validated once;
/// tensor data is never copied: <see cref="GetTensorData"/> returns a view into the mapping. A model split with
/// gguf-split (<c>NAME-00001-of-0000N.gguf</c>, see <see cref="GgufSplit"/>) opens as one file: every part is mapped,
/// the metadata is the first part's and the tensors are those of all parts.
/// </summary>
public sealed unsafe class GgufFile : IDisposable
{
    /// <summary>"GGUF" read as a little-endian uint32.</summary>
    internal const uint Magic = 0x46554747;

    internal const uint DefaultAlignment = 32;

    private readonly GgufMapping[] _parts;
    private readonly long[] _partDataOffsets;
    private readonly Dictionary<string, GgufValue> _metadata;
    private readonly Dictionary<string, GgufTensorInfo> _tensorsByName;
    private bool _disposed;

    private GgufFile(GgufMapping[] parts, GgufReader.Header[] headers, IReadOnlyList<GgufTensorInfo> tensors)
    {
        _parts = parts;
        var header = headers[0];
        Path = parts[0].Path;
        long length = 0;
        _partDataOffsets = new long[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            length += parts[i].Length;
            _partDataOffsets[i] = headers[i].DataOffset;
        }
        Length = length;
        Version = header.Version;
        Alignment = header.Alignment;
        DataOffset = header.DataOffset;
        MetadataEntries = header.Metadata;
        Tensors = tensors;
        _metadata = new Dictionary<string, GgufValue>(header.Metadata.Count, StringComparer.Ordinal);
        foreach (var kv in header.Metadata) _metadata[kv.Key] = kv.Value;
        _tensorsByName = new Dictionary<string, GgufTensorInfo>(tensors.Count, StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            if (!_tensorsByName.TryAdd(t.Name, t))
            {
                throw new GgufFormatException($"Tensor '{t.Name}' appears in more than one part of the split model '{Path}'");
            }
        }
    }

    /// <summary>The file path (the first part of a split model), or null for a file parsed from memory.</summary>
    public string? Path { get; }

    /// <summary>Size in bytes (of all parts together for a split model).</summary>
    public long Length { get; }

    /// <summary>GGUF format version (2 or 3).</summary>
    public uint Version { get; }

    /// <summary>Alignment of tensor data (<c>general.alignment</c>, 32 by default).</summary>
    public long Alignment { get; }

    /// <summary>Absolute file offset of the tensor data section (of the first part for a split model).</summary>
    public long DataOffset { get; }

    /// <summary>Metadata in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, GgufValue>> MetadataEntries { get; }

    /// <summary>Metadata by key.</summary>
    public IReadOnlyDictionary<string, GgufValue> Metadata => _metadata;

    /// <summary>Tensor infos in file order (part by part for a split model).</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary>Number of files the model is split into (1 for an ordinary file).</summary>
    internal int PartCount => _parts.Length;

    /// <summary>The path of each part, in order.</summary>
    internal IEnumerable<string?> PartPaths => _parts.Select(p => p.Path);

    /// <summary>
    /// Maps <paramref name="path"/> read-only and parses its header. When the file is a part of a split model, every
    /// part is opened (found beside it by the gguf-split naming convention) and checked against the others.
    /// </summary>
    public static GgufFile Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var first = GgufMapping.Map(path);
        var parts = new List<GgufMapping> { first };
        try
        {
            var header = GgufReader.Parse(first.Base, first.Length, part: 0);
            int count = SplitCount(header, path);
            if (count <= 1) return new GgufFile([.. parts], [header], header.Tensors);
            int no = SplitNo(header, path);
            if (!GgufSplit.TryParsePath(path, out string prefix, out int nameNo, out int nameCount) || nameNo != no || nameCount != count)
            {
                throw new GgufFormatException(
                    $"'{path}' is part {no + 1} of a model split in {count}, but its name does not follow the " +
                    $"NAME-{no + 1:D5}-of-{count:D5}.gguf convention, so the other parts cannot be found; rename the parts as gguf-split wrote them");
            }
            if (no != 0)
            {
                // llama.cpp insists on the first part; opening any part of the set is kinder and means the same model.
                first.Dispose();
                parts.Clear();
                return Open(GgufSplit.PartPath(prefix, 0, count));
            }
            return OpenParts(parts, header, prefix, count);
        }
        catch
        {
            foreach (var p in parts) p.Dispose();
            throw;
        }
    }

    private static GgufFile OpenParts(List<GgufMapping> parts, GgufReader.Header firstHeader, string prefix, int count)
    {
        var headers = new GgufReader.Header[count];
        headers[0] = firstHeader;
        var tensors = new List<GgufTensorInfo>(firstHeader.Tensors);
        for (int i = 1; i < count; i++)
        {
            string partPath = GgufSplit.PartPath(prefix, i, count);
            if (!File.Exists(partPath))
            {
                throw new FileNotFoundException(
                    $"Split GGUF model '{parts[0].Path}' has {count} parts but part {i + 1} is missing: expected '{partPath}'", partPath);
            }
            var mapping = GgufMapping.Map(partPath);
            parts.Add(mapping);
            var h = GgufReader.Parse(mapping.Base, mapping.Length, part: i);
            int partCount = SplitCount(h, partPath);
            if (partCount != count)
            {
                throw new GgufFormatException($"Split part '{partPath}' says the model has {partCount} parts, but the first part says {count}");
            }
            int no = SplitNo(h, partPath);
            if (no != i) throw new GgufFormatException($"Split part '{partPath}' has {GgufSplit.NoKey} = {no}, expected {i}");
            headers[i] = h;
            tensors.AddRange(h.Tensors);
        }
        if (firstHeader.Metadata.FirstOrDefault(kv => kv.Key == GgufSplit.TensorsCountKey).Value is { } expected && expected.AsInt64() != tensors.Count)
        {
            throw new GgufFormatException(
                $"Split model '{parts[0].Path}' should hold {expected.AsInt64()} tensors ({GgufSplit.TensorsCountKey}) but its {count} parts hold {tensors.Count}");
        }
        return new GgufFile([.. parts], headers, tensors);
    }

    private static int SplitCount(GgufReader.Header header, string path)
    {
        var v = header.Metadata.FirstOrDefault(kv => kv.Key == GgufSplit.CountKey).Value;
        if (v == null) return 1;
        long n = v.AsInt64();
        if (n < 0 || n > ushort.MaxValue) throw new GgufFormatException($"'{path}': {GgufSplit.CountKey} = {n} is not a valid part count");
        return (int)n;
    }

    private static int SplitNo(GgufReader.Header header, string path)
    {
        var v = header.Metadata.FirstOrDefault(kv => kv.Key == GgufSplit.NoKey).Value
            ?? throw new GgufFormatException($"'{path}' has {GgufSplit.CountKey} but no {GgufSplit.NoKey}: not a valid split part");
        return (int)v.AsInt64();
    }

    /// <summary>Parses a GGUF image held in memory (the array is pinned for the lifetime of the object).</summary>
    public static GgufFile FromBytes(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var mapping = GgufMapping.Pin(bytes);
        try
        {
            var header = GgufReader.Parse(mapping.Base, mapping.Length, part: 0);
            if (SplitCount(header, "(memory)") > 1)
            {
                throw new GgufFormatException("The GGUF image is one part of a split model; open the parts from files with GgufFile.Open");
            }
            return new GgufFile([mapping], [header], header.Tensors);
        }
        catch
        {
            mapping.Dispose();
            throw;
        }
    }

    /// <summary>The value of <paramref name="key"/>, if present.</summary>
    public bool TryGetValue(string key, out GgufValue value) => _metadata.TryGetValue(key, out value!);

    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public GgufValue? GetValueOrNull(string key) => _metadata.TryGetValue(key, out var v) ? v : null;

    // The typed getters return null for an absent key and throw GgufFormatException, naming the key, the expected type
    // and the type found, for a value of another type: a hostile file can store anything under any key.

    /// <summary>A string value, or null when absent.</summary>
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

    /// <summary>The tensor named <paramref name="name"/>, or null.</summary>
    public GgufTensorInfo? FindTensor(string name) => _tensorsByName.GetValueOrDefault(name);

    /// <summary>Pointer to the first byte of a tensor's data inside the mapping (of its part); valid until disposal.</summary>
    internal byte* GetTensorPointer(GgufTensorInfo tensor)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(tensor);
        return _parts[tensor.Part].Base + _partDataOffsets[tensor.Part] + tensor.Offset;
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
        foreach (var p in _parts) p.Dispose();
    }
}
