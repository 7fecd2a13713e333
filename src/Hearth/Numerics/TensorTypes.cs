namespace Hearth.Numerics;

/// <summary>The traits table: one entry per tensor type Hearth computes with.</summary>
internal static class TensorTypes
{
    private static readonly TensorTypeTraits?[] Table = Build();

    public static bool IsSupported(GgmlType type) => (uint)type < (uint)Table.Length && Table[(int)type] != null;

    public static TensorTypeTraits Get(GgmlType type) =>
        IsSupported(type) ? Table[(int)type]! : throw new NotSupportedException(
            $"Tensor type {type} is not supported; supported types: {string.Join(", ", Supported)}.");

    public static IEnumerable<GgmlType> Supported
    {
        get
        {
            foreach (var t in Table)
            {
                if (t != null) yield return t.Type;
            }
        }
    }

    private static TensorTypeTraits?[] Build()
    {
        var table = new TensorTypeTraits?[64];
        void Add(GgmlType type, int blockSize, int bytesPerBlock, DequantizeRow dequantize, QuantizeRow? quantize,
            GgmlType vecDotType, VecDot? reference)
        {
            table[(int)type] = new TensorTypeTraits
            {
                Type = type,
                BlockSize = blockSize,
                BytesPerBlock = bytesPerBlock,
                Dequantize = dequantize,
                Quantize = quantize,
                VecDotType = vecDotType,
                VecDot = VecDotKernels.Find(type, KernelSelector.Active) ?? reference ?? ActivationOnly(type),
                VecDotReference = reference ?? ActivationOnly(type),
                IsWeightType = reference != null,
            };
        }

        Add(GgmlType.F32, 1, 4, FloatFormats.DequantizeF32, FloatFormats.QuantizeF32, GgmlType.F32, FloatFormats.DotF32Reference);
        Add(GgmlType.F16, 1, 2, FloatFormats.DequantizeF16, FloatFormats.QuantizeF16, GgmlType.F16, FloatFormats.DotF16Reference);
        Add(GgmlType.BF16, 1, 2, FloatFormats.DequantizeBF16, FloatFormats.QuantizeBF16, GgmlType.BF16, FloatFormats.DotBF16Reference);
        Add(GgmlType.Q4_0, Q4_0.BlockSize, Q4_0.BytesPerBlock, Q4_0.Dequantize, Q4_0.Quantize, GgmlType.Q8_0, Q4_0.DotReference);
        Add(GgmlType.Q4_1, Q4_1.BlockSize, Q4_1.BytesPerBlock, Q4_1.Dequantize, Q4_1.Quantize, GgmlType.Q8_1, Q4_1.DotReference);
        Add(GgmlType.Q5_0, Q5_0.BlockSize, Q5_0.BytesPerBlock, Q5_0.Dequantize, Q5_0.Quantize, GgmlType.Q8_0, Q5_0.DotReference);
        Add(GgmlType.Q5_1, Q5_1.BlockSize, Q5_1.BytesPerBlock, Q5_1.Dequantize, Q5_1.Quantize, GgmlType.Q8_1, Q5_1.DotReference);
        // Q8_0 and Q8_K quantize activations on the hot path: the vectorised versions give the same bytes as the references.
        bool simd = KernelSelector.Active != KernelVariant.Scalar;
        Add(GgmlType.Q8_0, Q8_0.BlockSize, Q8_0.BytesPerBlock, Q8_0.Dequantize, simd ? ActivationQuantizer.QuantizeQ8_0 : Q8_0.Quantize, GgmlType.Q8_0, Q8_0.DotReference);
        Add(GgmlType.Q8_1, Q8_1.BlockSize, Q8_1.BytesPerBlock, Q8_1.Dequantize, Q8_1.Quantize, GgmlType.Q8_1, null);
        Add(GgmlType.Q2_K, Q2_K.BlockSize, Q2_K.BytesPerBlock, Q2_K.Dequantize, Q2_K.Quantize, GgmlType.Q8_K, Q2_K.DotReference);
        Add(GgmlType.Q3_K, Q3_K.BlockSize, Q3_K.BytesPerBlock, Q3_K.Dequantize, Q3_K.Quantize, GgmlType.Q8_K, Q3_K.DotReference);
        Add(GgmlType.Q4_K, Q4_K.BlockSize, Q4_K.BytesPerBlock, Q4_K.Dequantize, Q4_K.Quantize, GgmlType.Q8_K, Q4_K.DotReference);
        Add(GgmlType.Q5_K, Q5_K.BlockSize, Q5_K.BytesPerBlock, Q5_K.Dequantize, Q5_K.Quantize, GgmlType.Q8_K, Q5_K.DotReference);
        Add(GgmlType.Q6_K, Q6_K.BlockSize, Q6_K.BytesPerBlock, Q6_K.Dequantize, Q6_K.Quantize, GgmlType.Q8_K, Q6_K.DotReference);
        // The IQ and ternary types: IQ4_NL pairs with Q8_0 like the 32-element formats, the rest with Q8_K. The grid
        // types (IQ1–IQ3) have no quantizer: ggml's needs an importance matrix.
        Add(GgmlType.IQ4_NL, IQ4_NL.BlockSize, IQ4_NL.BytesPerBlock, IQ4_NL.Dequantize, IQ4_NL.Quantize, GgmlType.Q8_0, IQ4_NL.DotReference);
        Add(GgmlType.IQ4_XS, IQ4_XS.BlockSize, IQ4_XS.BytesPerBlock, IQ4_XS.Dequantize, IQ4_XS.Quantize, GgmlType.Q8_K, IQ4_XS.DotReference);
        Add(GgmlType.IQ3_XXS, IQ3_XXS.BlockSize, IQ3_XXS.BytesPerBlock, IQ3_XXS.Dequantize, null, GgmlType.Q8_K, IQ3_XXS.DotReference);
        Add(GgmlType.IQ3_S, IQ3_S.BlockSize, IQ3_S.BytesPerBlock, IQ3_S.Dequantize, null, GgmlType.Q8_K, IQ3_S.DotReference);
        Add(GgmlType.IQ2_XXS, IQ2_XXS.BlockSize, IQ2_XXS.BytesPerBlock, IQ2_XXS.Dequantize, null, GgmlType.Q8_K, IQ2_XXS.DotReference);
        Add(GgmlType.IQ2_XS, IQ2_XS.BlockSize, IQ2_XS.BytesPerBlock, IQ2_XS.Dequantize, null, GgmlType.Q8_K, IQ2_XS.DotReference);
        Add(GgmlType.IQ2_S, IQ2_S.BlockSize, IQ2_S.BytesPerBlock, IQ2_S.Dequantize, null, GgmlType.Q8_K, IQ2_S.DotReference);
        Add(GgmlType.IQ1_S, IQ1_S.BlockSize, IQ1_S.BytesPerBlock, IQ1_S.Dequantize, null, GgmlType.Q8_K, IQ1_S.DotReference);
        Add(GgmlType.IQ1_M, IQ1_M.BlockSize, IQ1_M.BytesPerBlock, IQ1_M.Dequantize, null, GgmlType.Q8_K, IQ1_M.DotReference);
        Add(GgmlType.TQ1_0, TQ1_0.BlockSize, TQ1_0.BytesPerBlock, TQ1_0.Dequantize, TQ1_0.Quantize, GgmlType.Q8_K, TQ1_0.DotReference);
        Add(GgmlType.TQ2_0, TQ2_0.BlockSize, TQ2_0.BytesPerBlock, TQ2_0.Dequantize, TQ2_0.Quantize, GgmlType.Q8_K, TQ2_0.DotReference);
        Add(GgmlType.MXFP4, Mxfp4.BlockSize, Mxfp4.BytesPerBlock, Mxfp4.Dequantize, Mxfp4.Quantize, GgmlType.Q8_0, Mxfp4.DotReference);
        Add(GgmlType.Q8_K, Q8_K.BlockSize, Q8_K.BytesPerBlock, Q8_K.Dequantize, simd ? ActivationQuantizer.QuantizeQ8_K : Q8_K.Quantize, GgmlType.Q8_K, null);
        return table;
    }

    private static VecDot ActivationOnly(GgmlType type) => (_, _, _) => throw new NotSupportedException(
        $"{type} is an activation-only format (the dot-product partner of other types); it has no dot kernel of its own.");
}
