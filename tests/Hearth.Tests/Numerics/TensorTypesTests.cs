using Hearth.Numerics;

namespace Hearth.Tests.Numerics;

public class TensorTypesTests
{
    [Fact]
    public void Table_lists_the_weight_and_activation_types_with_ggml_block_geometry_and_pairing()
    {
        var expectedPairs = new Dictionary<GgmlType, GgmlType>
        {
            [GgmlType.F32] = GgmlType.F32, [GgmlType.F16] = GgmlType.F16, [GgmlType.BF16] = GgmlType.BF16,
            [GgmlType.Q4_0] = GgmlType.Q8_0, [GgmlType.Q5_0] = GgmlType.Q8_0, [GgmlType.Q8_0] = GgmlType.Q8_0,
            [GgmlType.Q4_1] = GgmlType.Q8_1, [GgmlType.Q5_1] = GgmlType.Q8_1,
            [GgmlType.Q2_K] = GgmlType.Q8_K, [GgmlType.Q3_K] = GgmlType.Q8_K, [GgmlType.Q4_K] = GgmlType.Q8_K,
            [GgmlType.Q5_K] = GgmlType.Q8_K, [GgmlType.Q6_K] = GgmlType.Q8_K, [GgmlType.MXFP4] = GgmlType.Q8_0,
        };
        foreach (var (type, pair) in expectedPairs)
        {
            var t = TensorTypes.Get(type);
            Assert.Equal(pair, t.VecDotType);
            Assert.True(t.IsWeightType);
            Assert.NotNull(t.Quantize);
            // Geometry must agree with the storage table the GGUF reader uses (ggml.c type_traits[]).
            Assert.Equal(GgmlTypeSizes.BlockSize(type), t.BlockSize);
            Assert.Equal(GgmlTypeSizes.BytesPerBlock(type), t.BytesPerBlock);
        }
        // The IQ and ternary types: IQ4_NL pairs with Q8_0, the rest with Q8_K (ggml-cpu's vec_dot_type); only the
        // types whose ggml quantizer needs no importance matrix have one.
        foreach (var type in new[] { GgmlType.IQ4_NL, GgmlType.IQ4_XS, GgmlType.IQ3_XXS, GgmlType.IQ3_S, GgmlType.IQ2_XXS,
                     GgmlType.IQ2_XS, GgmlType.IQ2_S, GgmlType.IQ1_S, GgmlType.IQ1_M, GgmlType.TQ1_0, GgmlType.TQ2_0 })
        {
            var t = TensorTypes.Get(type);
            Assert.Equal(type == GgmlType.IQ4_NL ? GgmlType.Q8_0 : GgmlType.Q8_K, t.VecDotType);
            Assert.True(t.IsWeightType);
            Assert.Equal(type is GgmlType.IQ4_NL or GgmlType.IQ4_XS or GgmlType.TQ1_0 or GgmlType.TQ2_0, t.Quantize != null);
            Assert.Equal(GgmlTypeSizes.BlockSize(type), t.BlockSize);
            Assert.Equal(GgmlTypeSizes.BytesPerBlock(type), t.BytesPerBlock);
        }
        foreach (var act in new[] { GgmlType.Q8_1, GgmlType.Q8_K })
        {
            Assert.True(TensorTypes.IsSupported(act));
            Assert.False(TensorTypes.Get(act).IsWeightType);
        }
    }

    [Fact]
    public void Unsupported_type_names_itself_and_the_supported_ones()
    {
        Assert.False(TensorTypes.IsSupported(GgmlType.F64));
        var ex = Assert.Throws<NotSupportedException>(() => TensorTypes.Get(GgmlType.F64));
        Assert.Contains("F64", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Q4_K", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Activation_only_type_has_no_dot()
    {
        var ex = Assert.Throws<NotSupportedException>(() => TensorTypes.Get(GgmlType.Q8_K).VecDot(256, new byte[292], new byte[292]));
        Assert.Contains("activation-only", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Row_not_a_multiple_of_the_block_is_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => TensorTypes.Get(GgmlType.Q4_K).Dequantize(new byte[144], new float[100]));
        Assert.Contains("not a multiple of the block size 256", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => TensorTypes.Get(GgmlType.Q8_0).Quantize!(new float[64], new byte[34]));
        Assert.Contains("need 68 bytes", ex.Message, StringComparison.Ordinal);
    }
}
