using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Hearth.Numerics;

/// <summary>Little-endian field access inside quantized blocks (GGUF data is little-endian; blocks are unaligned).</summary>
internal static class Bits
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort U16(ReadOnlySpan<byte> s, int offset) =>
        Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref MemoryMarshal.GetReference(s), offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint U32(ReadOnlySpan<byte> s, int offset) =>
        Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref MemoryMarshal.GetReference(s), offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short I16(ReadOnlySpan<byte> s, int offset) => (short)U16(s, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float F32(ReadOnlySpan<byte> s, int offset) => BitConverter.UInt32BitsToSingle(U32(s, offset));

    /// <summary>An fp16 field converted to float.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Half(ReadOnlySpan<byte> s, int offset) => Fp16.ToFloat(U16(s, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteU16(Span<byte> s, int offset, ushort v) =>
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref MemoryMarshal.GetReference(s), offset), v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteU32(Span<byte> s, int offset, uint v) =>
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref MemoryMarshal.GetReference(s), offset), v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteHalf(Span<byte> s, int offset, float v) => WriteU16(s, offset, Fp16.FromFloat(v));

    /// <summary>Throws unless <paramref name="n"/> is a whole number of blocks and both buffers hold them.</summary>
    public static int Blocks(int n, int blockSize, int bytesPerBlock, int byteLength, string type)
    {
        if (n % blockSize != 0)
            throw new ArgumentException($"{type}: a row of {n} elements is not a multiple of the block size {blockSize}.");
        int nb = n / blockSize;
        if ((long)nb * bytesPerBlock > byteLength)
            throw new ArgumentException($"{type}: {n} elements need {(long)nb * bytesPerBlock} bytes but the buffer has {byteLength}.");
        return nb;
    }
}
