namespace Hearth.Numerics;

/// <summary>
/// Storage geometry of every ggml type a GGUF file may name: elements per block and bytes per block
/// (ggml.c <c>type_traits[]</c>). Knowing the size of a type is enough to read and write a file; whether Hearth can
/// compute with it is a separate question answered by the tensor type traits table.
/// </summary>
internal static class GgmlTypeSizes
{
    /// <summary>Returns (elements per block, bytes per block), or false for an id ggml does not define.</summary>
    public static bool TryGet(GgmlType type, out int blockSize, out int bytesPerBlock)
    {
        (blockSize, bytesPerBlock) = type switch
        {
            GgmlType.F32 => (1, 4),
            GgmlType.F16 => (1, 2),
            GgmlType.BF16 => (1, 2),
            GgmlType.F64 => (1, 8),
            GgmlType.I8 => (1, 1),
            GgmlType.I16 => (1, 2),
            GgmlType.I32 => (1, 4),
            GgmlType.I64 => (1, 8),
            GgmlType.Q4_0 => (32, 18),
            GgmlType.Q4_1 => (32, 20),
            GgmlType.Q5_0 => (32, 22),
            GgmlType.Q5_1 => (32, 24),
            GgmlType.Q8_0 => (32, 34),
            GgmlType.Q8_1 => (32, 36),
            GgmlType.Q2_K => (256, 84),
            GgmlType.Q3_K => (256, 110),
            GgmlType.Q4_K => (256, 144),
            GgmlType.Q5_K => (256, 176),
            GgmlType.Q6_K => (256, 210),
            GgmlType.Q8_K => (256, 292),
            GgmlType.IQ2_XXS => (256, 66),
            GgmlType.IQ2_XS => (256, 74),
            GgmlType.IQ3_XXS => (256, 98),
            GgmlType.IQ1_S => (256, 50),
            GgmlType.IQ4_NL => (32, 18),
            GgmlType.IQ3_S => (256, 110),
            GgmlType.IQ2_S => (256, 82),
            GgmlType.IQ4_XS => (256, 136),
            GgmlType.IQ1_M => (256, 56),
            GgmlType.TQ1_0 => (256, 54),
            GgmlType.TQ2_0 => (256, 66),
            GgmlType.MXFP4 => (32, 17),
            _ => (0, 0),
        };
        return blockSize != 0;
    }

    public static int BlockSize(GgmlType type) => TryGet(type, out int b, out _) ? b : throw Unknown(type);

    public static int BytesPerBlock(GgmlType type) => TryGet(type, out _, out int s) ? s : throw Unknown(type);

    /// <summary>Bytes of one row of <paramref name="n"/> elements; n must be a multiple of the block size.</summary>
    public static long RowBytes(GgmlType type, long n)
    {
        if (!TryGet(type, out int b, out int s)) throw Unknown(type);
        if (n % b != 0) throw new ArgumentException($"{n} elements is not a multiple of {type}'s block size {b}.", nameof(n));
        return n / b * s;
    }

    private static NotSupportedException Unknown(GgmlType type) => new($"Unknown ggml tensor type id {(uint)type}.");
}
