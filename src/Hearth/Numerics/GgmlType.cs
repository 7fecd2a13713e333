namespace Hearth.Numerics;

/// <summary>Tensor element types, numbered exactly as ggml's <c>enum ggml_type</c> (the ids are stored in GGUF files).</summary>
public enum GgmlType : uint
{
    /// <summary>32-bit IEEE float.</summary>
    F32 = 0,
    /// <summary>16-bit IEEE half float.</summary>
    F16 = 1,
    /// <summary>4-bit blocks of 32 weights with one F16 scale.</summary>
    Q4_0 = 2,
    /// <summary>4-bit blocks of 32 weights with an F16 scale and minimum.</summary>
    Q4_1 = 3,
    /// <summary>5-bit blocks of 32 weights with one F16 scale.</summary>
    Q5_0 = 6,
    /// <summary>5-bit blocks of 32 weights with an F16 scale and minimum.</summary>
    Q5_1 = 7,
    /// <summary>8-bit blocks of 32 values with one F16 scale.</summary>
    Q8_0 = 8,
    /// <summary>8-bit blocks of 32 values with an F16 scale and the scaled sum (activations of Q4_1/Q5_1 dots).</summary>
    Q8_1 = 9,
    /// <summary>2-bit k-quant: super-blocks of 256 with 4-bit sub-block scales and minimums.</summary>
    Q2_K = 10,
    /// <summary>3-bit k-quant: super-blocks of 256 with 6-bit sub-block scales.</summary>
    Q3_K = 11,
    /// <summary>4-bit k-quant: super-blocks of 256 with 6-bit sub-block scales and minimums.</summary>
    Q4_K = 12,
    /// <summary>5-bit k-quant: super-blocks of 256 with 6-bit sub-block scales and minimums.</summary>
    Q5_K = 13,
    /// <summary>6-bit k-quant: super-blocks of 256 with 8-bit sub-block scales.</summary>
    Q6_K = 14,
    /// <summary>8-bit super-blocks of 256 with a float scale and block sums (activations of k-quant dots).</summary>
    Q8_K = 15,
    /// <summary>2.06-bit importance quant (lattice codebook).</summary>
    IQ2_XXS = 16,
    /// <summary>2.31-bit importance quant (lattice codebook).</summary>
    IQ2_XS = 17,
    /// <summary>3.06-bit importance quant (lattice codebook).</summary>
    IQ3_XXS = 18,
    /// <summary>1.56-bit importance quant.</summary>
    IQ1_S = 19,
    /// <summary>4-bit non-linear quant: blocks of 32 mapped through a fixed 16-value table.</summary>
    IQ4_NL = 20,
    /// <summary>3.44-bit importance quant.</summary>
    IQ3_S = 21,
    /// <summary>2.5-bit importance quant.</summary>
    IQ2_S = 22,
    /// <summary>4.25-bit non-linear quant: super-blocks of 256 with 6-bit scales.</summary>
    IQ4_XS = 23,
    /// <summary>8-bit integer.</summary>
    I8 = 24,
    /// <summary>16-bit integer.</summary>
    I16 = 25,
    /// <summary>32-bit integer.</summary>
    I32 = 26,
    /// <summary>64-bit integer.</summary>
    I64 = 27,
    /// <summary>64-bit IEEE float.</summary>
    F64 = 28,
    /// <summary>1.75-bit importance quant.</summary>
    IQ1_M = 29,
    /// <summary>bfloat16: the upper 16 bits of an F32.</summary>
    BF16 = 30,
    /// <summary>1.69-bit ternary quant.</summary>
    TQ1_0 = 34,
    /// <summary>2.06-bit ternary quant.</summary>
    TQ2_0 = 35,
    /// <summary>4-bit microscaling float (E2M1) in blocks of 32 with a shared E8M0 exponent.</summary>
    MXFP4 = 39,
}
