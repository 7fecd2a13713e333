using Hearth.Gguf;
using Hearth.Numerics;

namespace Hearth.Tests.Numerics;

/// <summary>
/// External truth: ggml-quant-vectors.gguf holds, for each type, ggml's quantized bytes of tensor <c>input</c>
/// (<c>q.&lt;t&gt;</c>, ggml's reference quantizers) and ggml's own dequantization of them (<c>deq.&lt;t&gt;</c>).
/// </summary>
public class GgmlQuantVectorsTests
{
    public static TheoryData<string> WeightTypes => new()
    {
        "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K",
        "IQ4_NL", "IQ4_XS", "IQ3_XXS", "IQ3_S", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ1_S", "IQ1_M", "TQ1_0", "TQ2_0",
    };

    /// <summary>The types Hearth quantizes (the grid types need an importance matrix, which Hearth does not implement).</summary>
    public static TheoryData<string> QuantizedTypes => new()
    {
        "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K",
        "IQ4_NL", "IQ4_XS", "TQ1_0", "TQ2_0",
    };

    /// <summary>ggml's type name as used in the file's tensor names: lowercase, except the K of K-quants (q4_K).</summary>
    private static string GgmlName(GgmlType t)
    {
        string s = t.ToString().ToLowerInvariant();
        return s.EndsWith("_k", StringComparison.Ordinal) ? s[..^1] + "K" : s;
    }

    private static GgufFile Open() => GgufFile.Open(TestData.PathOf("gguf/ggml-quant-vectors.gguf"));

    private static float[] Input(GgufFile f, out int rows, out int cols)
    {
        var t = f.FindTensor("input")!;
        cols = (int)t.Columns;
        rows = (int)t.Rows;
        var data = new float[cols * rows];
        TensorTypes.Get(GgmlType.F32).Dequantize(f.GetTensorData(t), data);
        return data;
    }

    [Theory]
    [MemberData(nameof(WeightTypes))]
    public void Dequantize_reproduces_ggml_bit_for_bit(string typeName)
    {
        var type = Enum.Parse<GgmlType>(typeName);
        using var f = Open();
        var q = f.FindTensor("q." + GgmlName(type)) ?? throw new InvalidOperationException("missing q." + GgmlName(type));
        var deq = f.FindTensor("deq." + GgmlName(type))!;
        Assert.Equal(type, q.Type);
        var expected = new float[deq.ElementCount];
        TensorTypes.Get(GgmlType.F32).Dequantize(f.GetTensorData(deq), expected);
        var traits = TensorTypes.Get(type);
        int cols = (int)q.Columns;
        int rowBytes = (int)traits.RowBytes(cols);
        var qData = f.GetTensorData(q);
        var actual = new float[cols];
        for (int r = 0; r < q.Rows; r++)
        {
            traits.Dequantize(qData.Slice(r * rowBytes, rowBytes), actual);
            for (int c = 0; c < cols; c++)
            {
                uint e = BitConverter.SingleToUInt32Bits(expected[r * cols + c]);
                uint a = BitConverter.SingleToUInt32Bits(actual[c]);
                if (e != a) Assert.Fail($"{type} row {r} col {c}: ggml {expected[r * cols + c]:R} (0x{e:X8}), Hearth {actual[c]:R} (0x{a:X8})");
            }
        }
    }

    [Theory]
    [MemberData(nameof(QuantizedTypes))]
    public void Quantize_reproduces_ggml_reference_quantizer_bit_for_bit(string typeName)
    {
        var type = Enum.Parse<GgmlType>(typeName);
        using var f = Open();
        var input = Input(f, out int rows, out int cols);
        var q = f.FindTensor("q." + GgmlName(type))!;
        var expected = f.GetTensorData(q);
        var traits = TensorTypes.Get(type);
        int rowBytes = (int)traits.RowBytes(cols);
        var actual = new byte[rowBytes];
        for (int r = 0; r < rows; r++)
        {
            traits.Quantize!(input.AsSpan(r * cols, cols), actual);
            var e = expected.Slice(r * rowBytes, rowBytes);
            for (int i = 0; i < rowBytes; i++)
            {
                if (e[i] != actual[i])
                    Assert.Fail($"{type} row {r}: first difference at byte {i} (block {i / traits.BytesPerBlock}, offset {i % traits.BytesPerBlock}): ggml 0x{e[i]:X2}, Hearth 0x{actual[i]:X2}");
            }
        }
    }
}
