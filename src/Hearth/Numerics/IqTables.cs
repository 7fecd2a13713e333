using System.Runtime.InteropServices;

namespace Hearth.Numerics;

/// <summary>
/// The lattice grids and sign table of ggml's IQ types (ggml-common.h <c>iq2xxs_grid</c>, <c>iq2xs_grid</c>,
/// <c>iq2s_grid</c>, <c>iq3xxs_grid</c>, <c>iq3s_grid</c>, <c>iq1s_grid</c>, <c>ksigns_iq2xs</c>, <c>kvalues_iq4nl</c>),
/// stored once as data in the embedded resource <c>iq-grids.bin</c> (little-endian, in that order) and checked against
/// ggml's own dequantization by the tests. Each grid entry packs 8 (IQ2, IQ1) or 4 (IQ3) byte values; IQ1's are signed.
/// The arrays are pinned so the SIMD kernels can index them through raw pointers.
/// </summary>
internal static unsafe class IqTables
{
    public const int Iq2xxsCount = 256, Iq2xsCount = 512, Iq2sCount = 1024, Iq3xxsCount = 256, Iq3sCount = 512, Iq1sCount = 2048;

    public static readonly ulong* Iq2xxs;
    public static readonly ulong* Iq2xs;
    public static readonly ulong* Iq2s;
    public static readonly uint* Iq3xxs;
    public static readonly uint* Iq3s;
    public static readonly ulong* Iq1s;

    /// <summary>7 stored sign bits → 8 sign bits (the eighth makes the count of negatives even).</summary>
    public static readonly byte* KSigns;

    /// <summary>The 16 non-linear levels of IQ4_NL / IQ4_XS.</summary>
    public static readonly sbyte* KValues;

    /// <summary>For each 8-bit sign mask, 8 bytes of 0xFF where the value is negative and 0 elsewhere.</summary>
    public static readonly ulong* SignMask;

    private static readonly byte[] Storage;

    static IqTables()
    {
        using var s = typeof(IqTables).Assembly.GetManifestResourceStream("Hearth.Numerics.iq-grids.bin")
            ?? throw new InvalidOperationException("The embedded IQ grid data (iq-grids.bin) is missing from the Hearth assembly.");
        const int gridBytes = (Iq2xxsCount + Iq2xsCount + Iq2sCount + Iq1sCount) * 8 + (Iq3xxsCount + Iq3sCount) * 4 + 128 + 16;
        // Data, then 256 sign masks; 64 bytes of slack to align the start.
        Storage = GC.AllocateUninitializedArray<byte>(gridBytes + 256 * 8 + 64, pinned: true);
        byte* basePtr = (byte*)(((nint)Marshal.UnsafeAddrOfPinnedArrayElement(Storage, 0) + 63) & ~(nint)63);
        var data = new Span<byte>(basePtr, gridBytes);
        s.ReadExactly(data);
        byte* p = basePtr;
        Iq2xxs = (ulong*)p; p += Iq2xxsCount * 8;
        Iq2xs = (ulong*)p; p += Iq2xsCount * 8;
        Iq2s = (ulong*)p; p += Iq2sCount * 8;
        Iq3xxs = (uint*)p; p += Iq3xxsCount * 4;
        Iq3s = (uint*)p; p += Iq3sCount * 4;
        Iq1s = (ulong*)p; p += Iq1sCount * 8;
        KSigns = p; p += 128;
        KValues = (sbyte*)p; p += 16;
        SignMask = (ulong*)p;
        for (int m = 0; m < 256; m++)
        {
            ulong v = 0;
            for (int j = 0; j < 8; j++)
            {
                if ((m & (1 << j)) != 0) v |= 0xFFUL << (8 * j);
            }
            SignMask[m] = v;
        }
    }

    /// <summary>Byte <paramref name="j"/> of an 8-byte grid entry.</summary>
    public static int Byte(ulong entry, int j) => (byte)(entry >> (8 * j));

    /// <summary>Signed byte <paramref name="j"/> of an IQ1 grid entry (values -1, 0, 1).</summary>
    public static int SByte(ulong entry, int j) => (sbyte)(byte)(entry >> (8 * j));
}
