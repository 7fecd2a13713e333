using System.Text;

namespace Hearth.Tests.Gguf;

/// <summary>
/// Writes GGUF bytes field by field, with no validation, so tests can build exactly the malformed file they mean and
/// know the offset of every field (<see cref="Position"/> before writing it).
/// </summary>
internal sealed class RawGguf
{
    private readonly MemoryStream _s = new();

    public long Position => _s.Position;

    public RawGguf U8(byte v)
    {
        _s.WriteByte(v);
        return this;
    }

    public RawGguf U32(uint v)
    {
        _s.Write(BitConverter.GetBytes(v));
        return this;
    }

    public RawGguf U64(ulong v)
    {
        _s.Write(BitConverter.GetBytes(v));
        return this;
    }

    public RawGguf Str(string s)
    {
        byte[] b = Encoding.UTF8.GetBytes(s);
        U64((ulong)b.Length);
        _s.Write(b);
        return this;
    }

    public RawGguf Zeros(int n)
    {
        _s.Write(new byte[n]);
        return this;
    }

    public RawGguf PadTo(int alignment)
    {
        while (_s.Position % alignment != 0) _s.WriteByte(0);
        return this;
    }

    /// <summary>Magic, version, tensor count, metadata count.</summary>
    public RawGguf Header(ulong tensors, ulong kvs, uint version = 3) => U32(0x46554747).U32(version).U64(tensors).U64(kvs);

    /// <summary>One metadata entry holding a uint32.</summary>
    public RawGguf KvU32(string key, uint value) => Str(key).U32(4).U32(value);

    /// <summary>One tensor info: name, dims, type, offset.</summary>
    public RawGguf TensorInfo(string name, ulong[] dims, uint type, ulong offset)
    {
        Str(name).U32((uint)dims.Length);
        foreach (ulong d in dims) U64(d);
        return U32(type).U64(offset);
    }

    public byte[] ToArray() => _s.ToArray();
}
