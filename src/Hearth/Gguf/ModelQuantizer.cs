using Hearth.Numerics;

namespace Hearth.Gguf;

/// <summary>
/// Rewrites a GGUF model with its weight matrices in another tensor type, as llama-quantize does for the plain types:
/// 2-D weights are converted (through float) to the target type; vectors (norms, biases) stay F32; a matrix whose row
/// length is not a multiple of the target's block size falls back to a type whose block fits (Q8_0, then F16), as
/// llama-quantize falls back. An MXFP4 target converts only the 3-D expert tensors (llama-quantize's MXFP4_MOE), the rest to Q8_0. Metadata is copied with <c>general.file_type</c> updated.
/// </summary>
public static class ModelQuantizer
{
    /// <summary>What a quantization did.</summary>
    /// <param name="Converted">Matrices converted to the target type.</param>
    /// <param name="FellBack">Matrices whose rows do not fit the target's blocks, written in a fallback type.</param>
    /// <param name="Kept">Tensors copied unchanged (vectors, already-target tensors).</param>
    /// <param name="InputBytes">Size of the input file.</param>
    /// <param name="OutputBytes">Size of the written file.</param>
    public sealed record Summary(int Converted, int FellBack, int Kept, long InputBytes, long OutputBytes);

    /// <summary>llama.cpp's <c>llama_ftype</c> for a file whose matrices are (mostly) of this type.</summary>
    internal static uint FileType(GgmlType t) => t switch
    {
        GgmlType.F32 => 0,
        GgmlType.F16 => 1,
        GgmlType.Q4_0 => 2,
        GgmlType.Q4_1 => 3,
        GgmlType.Q8_0 => 7,
        GgmlType.Q5_0 => 8,
        GgmlType.Q5_1 => 9,
        GgmlType.Q2_K => 10,
        GgmlType.Q3_K => 12,
        GgmlType.Q4_K => 15,
        GgmlType.Q5_K => 17,
        GgmlType.Q6_K => 18,
        GgmlType.BF16 => 32,
        GgmlType.IQ4_NL => 25,
        GgmlType.IQ4_XS => 30,
        GgmlType.TQ1_0 => 36,
        GgmlType.TQ2_0 => 37,
        GgmlType.IQ2_XXS => 19,
        GgmlType.IQ2_XS => 20,
        GgmlType.IQ3_XXS => 23,
        GgmlType.IQ1_S => 24,
        GgmlType.IQ3_S => 26,
        GgmlType.IQ2_S => 28,
        GgmlType.IQ1_M => 31,
        GgmlType.MXFP4 => 38, // LLAMA_FTYPE_MOSTLY_MXFP4_MOE
        _ => throw new NotSupportedException($"No llama.cpp file type for {t}."),
    };

    /// <summary>
    /// The grid types (IQ1–IQ3), whose ggml quantizers fit the lattice to an importance matrix (llama-imatrix output);
    /// Hearth computes with them but does not implement those quantizers.
    /// </summary>
    public static bool RequiresImportanceMatrix(GgmlType t) => t is GgmlType.IQ1_S or GgmlType.IQ1_M or GgmlType.IQ2_XXS
        or GgmlType.IQ2_XS or GgmlType.IQ2_S or GgmlType.IQ3_XXS or GgmlType.IQ3_S;

    /// <summary>Writes <paramref name="input"/> to <paramref name="outputPath"/> with its matrices in <paramref name="target"/>.</summary>
    /// <param name="input">The model file to read.</param>
    /// <param name="outputPath">Where to write the new file.</param>
    /// <param name="target">The tensor type for the weight matrices (one of <see cref="Targets"/>).</param>
    /// <param name="log">Receives one line per tensor, or null.</param>
    /// <exception cref="NotSupportedException"><paramref name="target"/> cannot be quantized to.</exception>
    /// <exception cref="IOException">The output cannot be written.</exception>
    public static Summary Quantize(GgufFile input, string outputPath, GgmlType target, Action<string>? log = null)
    {
        var traits = TensorTypes.Get(target);
        if (!traits.IsWeightType || traits.Quantize is null)
        {
            throw new NotSupportedException($"Cannot quantize to {target}; supported targets: {string.Join(", ", Targets())}.");
        }
        var w = new GgufWriter(input.Version);
        foreach (var kv in input.MetadataEntries)
        {
            if (kv.Key is "general.file_type" or "general.quantization_version") continue;
            w.SetMetadata(kv.Key, kv.Value);
        }
        w.SetMetadata("general.quantization_version", GgufValue.UInt32(2));
        w.SetMetadata("general.file_type", GgufValue.UInt32(FileType(target)));
        int converted = 0, fellBack = 0, kept = 0;
        long outBytes = 0;
        foreach (var t in input.Tensors)
        {
            bool matrix = t.Dimensions.Count >= 2 && t.Rows > 1 && t.Name.EndsWith(".weight", StringComparison.Ordinal)
                          && TensorTypes.IsSupported(t.Type) && TensorTypes.Get(t.Type).IsWeightType;
            if (!matrix)
            {
                w.AddTensor(t.Name, t.Type, [.. t.Dimensions], input.GetTensorData(t).ToArray());
                kept++;
                outBytes += t.ByteSize;
                continue;
            }
            // As llama-quantize's MXFP4_MOE: only the 3-D expert tensors become MXFP4, every other matrix Q8_0.
            var type = ChooseType(target == GgmlType.MXFP4 && t.Dimensions.Count < 3 ? GgmlType.Q8_0 : target, t.Columns);
            if (type != target && !(target == GgmlType.MXFP4 && type == GgmlType.Q8_0 && t.Dimensions.Count < 3))
            {
                fellBack++;
                log?.Invoke($"{t.Name}: {t.Columns} columns do not fit {target}'s {traits.BlockSize}-element blocks; using {type}");
            }
            else
            {
                converted++;
            }
            byte[] data = Convert(input, t, type);
            outBytes += data.Length;
            w.AddTensor(t.Name, type, [.. t.Dimensions], data);
        }
        w.WriteTo(outputPath);
        return new Summary(converted, fellBack, kept, input.Length, outBytes);
    }

    /// <summary>The tensor types <see cref="Quantize"/> can write.</summary>
    public static IEnumerable<GgmlType> Targets()
    {
        foreach (var t in TensorTypes.Supported)
        {
            var tr = TensorTypes.Get(t);
            if (tr.IsWeightType && tr.Quantize != null) yield return t;
        }
    }

    private static GgmlType ChooseType(GgmlType target, long columns)
    {
        foreach (var candidate in new[] { target, GgmlType.Q8_0, GgmlType.F16 })
        {
            if (columns % TensorTypes.Get(candidate).BlockSize == 0) return candidate;
        }
        return GgmlType.F32;
    }

    private static byte[] Convert(GgufFile input, GgufTensorInfo t, GgmlType type)
    {
        var src = TensorTypes.Get(t.Type);
        var dst = TensorTypes.Get(type);
        int cols = checked((int)t.Columns);
        long rows = t.Rows;
        int srcRow = (int)src.RowBytes(cols), dstRow = (int)dst.RowBytes(cols);
        var output = new byte[checked(rows * dstRow)];
        var data = input.GetTensorData(t);
        var row = new float[cols];
        for (long r = 0; r < rows; r++)
        {
            src.Dequantize(data.Slice((int)(r * srcRow), srcRow), row);
            dst.Quantize!(row, output.AsSpan((int)(r * dstRow), dstRow));
        }
        return output;
    }
}
