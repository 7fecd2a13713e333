using System.Buffers;

namespace Hearth.Gguf;

/// <summary>
/// Exposes a range of a memory-mapped file as <see cref="Memory{T}"/> without copying, so a tensor of an open
/// <see cref="GgufFile"/> can be handed to <see cref="GgufWriter"/>. Valid only while the file stays open.
/// </summary>
internal sealed unsafe class UnmanagedMemory : MemoryManager<byte>
{
    private readonly byte* _pointer;
    private readonly int _length;

    public UnmanagedMemory(byte* pointer, int length)
    {
        _pointer = pointer;
        _length = length;
    }

    public override Span<byte> GetSpan() => new(_pointer, _length);

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, _length);
        return new MemoryHandle(_pointer + elementIndex);
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
