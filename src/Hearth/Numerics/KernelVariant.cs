namespace Hearth.Numerics;

/// <summary>The kernel families, in increasing order of width; a variant is usable when the CPU supports it.</summary>
internal enum KernelVariant
{
    /// <summary>The scalar reference (ggml's generic C).</summary>
    Scalar = 0,

    /// <summary>128-bit vectors: SSE on x86, AdvSimd (with the Dp dot-product instructions where present) on Arm64.</summary>
    V128 = 1,

    /// <summary>AVX2 + FMA, with AVX-VNNI's vpdpbusd/vpdpwssd where present.</summary>
    Avx2 = 2,

    /// <summary>AVX-512 (F + BW) for the kernels that gain from 512-bit vectors; the others use the AVX2 ones.</summary>
    Avx512 = 3,
}
