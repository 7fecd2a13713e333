using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace Hearth.Gguf;

/// <summary>One read-only view of GGUF bytes: a memory-mapped file, or a pinned array for a file parsed from memory.</summary>
internal sealed unsafe class GgufMapping : IDisposable
{
    private readonly MemoryMappedFile? _mapping;
    private readonly MemoryMappedViewAccessor? _view;
    private GCHandle _pinned;

    private GgufMapping(string? path, MemoryMappedFile? mapping, MemoryMappedViewAccessor? view, GCHandle pinned, byte* basePtr, long length)
    {
        Path = path;
        _mapping = mapping;
        _view = view;
        _pinned = pinned;
        Base = basePtr;
        Length = length;
    }

    public string? Path { get; }

    public byte* Base { get; private set; }

    public long Length { get; }

    /// <summary>Maps <paramref name="path"/> read-only (a symbolic link maps the file it points to).</summary>
    public static GgufMapping Map(string path)
    {
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
            return new GgufMapping(path, mapping, view, default, p + view.PointerOffset, length);
        }
        catch
        {
            view?.Dispose();
            mapping.Dispose();
            throw;
        }
    }

    /// <summary>Pins <paramref name="bytes"/> for the lifetime of the mapping.</summary>
    public static GgufMapping Pin(byte[] bytes)
    {
        var handle = GCHandle.Alloc(bytes, GCHandleType.Pinned);
        return new GgufMapping(null, null, null, handle, (byte*)handle.AddrOfPinnedObject(), bytes.Length);
    }

    public void Dispose()
    {
        if (Base == null) return;
        Base = null;
        if (_view != null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _mapping?.Dispose();
        if (_pinned.IsAllocated) _pinned.Free();
    }
}
